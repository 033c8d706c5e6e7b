package pos

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrCustomerOffline reports a phone number, an e-mail or a name given to
// find a customer while central cannot be asked: only central knows whose
// it is, and it is no loyalty id to put on the sale. It is transient: the
// customer's loyalty card, scanned or its number typed, is taken offline,
// and the phone or e-mail once central answers.
var ErrCustomerOffline = errors.New("pos: central cannot be reached to find a customer by phone, e-mail or name; scan their loyalty card or type its number")

// MaxCartRecent is how many of a customer's recent purchases a cart keeps
// for the screens (Cart.Customer).
const MaxCartRecent = 3

// isContact reports whether query is a phone number, an e-mail or a name
// rather than a loyalty card's number, which has a digit. An e-mail has an
// @; a name, or anything else without a digit, is no card's number. A
// phone number is digits and a phone's punctuation (spaces, - . / and parentheses), in
// international form, + and 7 to 15 digits or 00 and 11 to 15, or in the
// national form of the stores' countries, which all dial a trunk 0 before
// the area or mobile code: 0, a digit other than 0, and 8 to 10 digits in
// all (Sweden 070-123 45 67 and 08-12 34 56, Slovakia 0905 123 456 and
// 02/1234 5678, Romania 0712 345 678 and 021 123 4567, Taiwan 0912-345-678
// and (02) 2345-6789). Anything else is a card's number: letters and
// digits (C-88412), or digits of a card's length however they begin, as
// an EAN-13 of a store's own range (0212345678900), a number padded with
// zeros (0000012345) or 16 digits printed in groups of four. Full-width
// characters, as a Chinese input method types them, count as their ASCII
// forms.
func isContact(query string) bool {
	digit := func(r rune) bool { return r >= '0' && r <= '9' || r >= '\uff10' && r <= '\uff19' }
	if strings.ContainsAny(query, "@\uff20") || !strings.ContainsFunc(query, digit) {
		return true
	}
	var d []byte // the digits
	plus := false
	for i, r := range query {
		switch {
		case r >= 0xff01 && r <= 0xff5e:
			r -= 0xfee0
		case r == 0x3000:
			r = ' '
		}
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == '+' && i == 0:
			plus = true
		case !strings.ContainsRune("-./() ", r):
			return false
		}
	}
	n := len(d)
	switch {
	case plus:
		return n >= 7 && n <= 15
	case n >= 3 && d[0] == '0' && d[1] == '0':
		return d[2] != '0' && n >= 11 && n <= 15
	case n >= 2 && d[0] == '0':
		return d[1] != '0' && n >= 8 && n <= 10
	}
	return false
}

// cardNumber is the customer id of a card's number taken offline: as
// typed or scanned, but a number of digits in groups, as cards print long
// ones (6001 2345 6789 0123), without the spaces, which are no part of it.
func cardNumber(query string) string {
	if strings.Trim(query, "0123456789 ") != "" {
		return query
	}
	return strings.ReplaceAll(query, " ", "")
}

// SetCustomer puts a loyalty customer's id on the cart as it is, or takes
// the customer off with "". Central has not named the id (it may be a
// phone number typed in), so the cart is not saved to it
// (ErrCustomerUnchecked) until the customer is added by AttachCustomer
// online. See AttachCustomer for the refusals.
func (s *Service) SetCustomer(ctx context.Context, a Actor, cartID, customerID string) (*CartView, error) {
	return s.setCustomer(ctx, cartID, strings.TrimSpace(customerID), true, nil, nil)
}

// AttachCustomer finds a loyalty customer by card number, phone or e-mail
// and puts them on the cart. Online, central's profile is returned (name,
// points, recent purchases in every channel) and the cart keeps it, its
// MaxCartRecent latest purchases only, for the screens that show the cart.
// Offline (central unreachable or silent), a loyalty card's number is put
// on the cart as typed or scanned (see cardNumber) and the customer comes
// back with Offline set: points are counted when central gets the sale,
// and the cart is not saved to the customer (ErrCustomerUnchecked) until
// they are added again online. A phone number, an e-mail or a name (see
// isContact) is refused offline with ErrCustomerOffline.
//
// The customer of a cart being paid (a payment taken or at the terminal)
// is not changed (ErrCartLocked), nor that of a click-and-collect order's
// cart (ErrPickupCart), which is the order's; central is not asked then.
// Nor is a customer put on or taken off while central was asked (another
// lookup that came back first, or another screen): the lookup is refused
// with ErrConflict rather than undo what was done since.
func (as *AfterSales) AttachCustomer(ctx context.Context, a Actor, cartID, query string) (*CartView, Customer, error) {
	query = strings.TrimSpace(query)
	if query == "" || checkText("query", query, 1, 64) != nil {
		return nil, Customer{}, fmt.Errorf("%w: a loyalty card, phone or e-mail of 1-64 characters", ErrInvalidRequest)
	}
	c, err := as.till.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, Customer{}, err
	}
	if err := c.customerEditable(); err != nil {
		return nil, Customer{}, err
	}
	// The errors do not quote the query: a phone number or an e-mail in
	// them would go wherever errors are logged.
	cust, err := as.opt.Lookup.CustomerLookup(ctx, query)
	switch {
	case errors.Is(err, ErrOffline) && isContact(query):
		return nil, Customer{}, ErrCustomerOffline
	case errors.Is(err, ErrOffline):
		cust = Customer{ID: cardNumber(query), Offline: true}
	case err != nil:
		return nil, Customer{}, fmt.Errorf("customer lookup: %w", err)
	case cust.ID == "":
		return nil, Customer{}, fmt.Errorf("customer lookup: %w", ErrNotFound)
	}
	var kept *Customer
	if !cust.Offline {
		p := cust
		p.Recent = p.Recent[:min(len(p.Recent), MaxCartRecent)]
		kept = &p
	}
	v, err := as.till.setCustomer(ctx, cartID, cust.ID, cust.Offline, kept, &c)
	if err != nil {
		return nil, Customer{}, err
	}
	return v, cust, nil
}

// setCustomer puts customerID on the cart ("" takes the customer off);
// unchecked says central has not named them (Cart.CustomerUnchecked), and
// profile is central's answer kept for the screens (nil: none). With was,
// the cart as it was read before central was asked, a customer changed
// since to another than customerID is refused with ErrConflict.
func (s *Service) setCustomer(ctx context.Context, cartID, customerID string, unchecked bool, profile *Customer, was *Cart) (*CartView, error) {
	if err := checkText("customer_id", customerID, 0, 64); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.customerEditable(); err != nil {
			return err
		}
		if was != nil && c.customerChanged(was) && c.customerChanged(&Cart{CustomerID: customerID, CustomerUnchecked: unchecked}) {
			return fmt.Errorf("%w: the cart's customer was changed while central was asked", ErrConflict)
		}
		c.CustomerID, c.Customer = customerID, profile
		c.CustomerUnchecked = unchecked && customerID != ""
		return nil
	})
}

// customerChanged reports whether c has another customer than was.
func (c *Cart) customerChanged(was *Cart) bool {
	return c.CustomerID != was.CustomerID || c.CustomerUnchecked != was.CustomerUnchecked
}

// customerEditable refuses to change the customer of a cart being paid,
// whose sale then goes on for the customer the payment was taken for, and
// of an order's cart.
func (c *Cart) customerEditable() error {
	if c.OrderID != "" {
		return fmt.Errorf("%w: the customer of order %s stays on its cart", ErrPickupCart, c.OrderID)
	}
	return c.editable()
}
