package syncqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/pos"
)

// Call sends a request to central and waits for its answer, at most
// RPCTimeout (3 s). It returns ErrOffline at once when the node is not
// connected or the connection drops before the answer, ErrTimeout when
// central does not answer in time, ErrOffline after RPCTimeout when the
// broker acknowledged neither the request nor anything else meanwhile
// (the link is silent: the connection is then ended, so that the lookups
// after it answer offline at once), ErrInvalidPayload when its answer does
// not follow the contract, and an *RPCError when central answers with an
// error.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	id := pos.NewUUID()
	req, err := json.Marshal(struct {
		ID     string `json:"id"`
		Method string `json:"method"`
		Params any    `json:"params"`
	}{id, method, params})
	if err != nil {
		return nil, fmt.Errorf("syncqueue: %s params: %w", method, err)
	}
	ch := make(chan rpcReply, 1)
	cli := c.callOn(id, ch)
	if cli == nil {
		return nil, ErrOffline
	}
	defer func() {
		c.mu.Lock()
		delete(c.calls, id)
		c.mu.Unlock()
	}()
	caller := ctx
	ctx, cancel := context.WithTimeout(ctx, c.opt.RPCTimeout)
	defer cancel()
	heard := c.heard.Load()
	// The deadline counts from here, whatever paho does: its Publish
	// waits for its writer, which a saturated line holds for up to the
	// write time-out. The publish left behind ends with that time-out.
	pubc := make(chan mqtt.Token, 1)
	go func() { pubc <- cli.Publish(c.t.rpcRequest, 1, false, req) }()
	var pub mqtt.Token
	select {
	case pub = <-pubc:
	case <-ctx.Done():
		return nil, c.unacknowledged(caller, cli, method, heard)
	}
	select {
	case <-pub.Done():
		if err := pub.Error(); err != nil {
			return nil, fmt.Errorf("%s: %w (%v)", method, ErrOffline, err)
		}
	case <-ctx.Done():
		return nil, c.unacknowledged(caller, cli, method, heard)
	}
	select {
	case a := <-ch:
		switch {
		case a.err != nil:
			return nil, fmt.Errorf("%s: %w", method, a.err)
		case a.r.Err != nil:
			return nil, fmt.Errorf("%s: %w", method, a.r.Err)
		}
		return a.r.Result, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: %w", method, ErrTimeout)
		}
		return nil, ctx.Err()
	}
}

// unacknowledged is Call's error when the broker has not acknowledged
// the request by its deadline: the caller's own cancellation, a broker
// busy with what was sent before (heard has moved), or a link gone
// silent, which is dropped: the keep-alive would notice only much later,
// and until then every lookup would wait as long for nothing.
func (c *Client) unacknowledged(caller context.Context, cli mqtt.Client, method string, heard int64) error {
	if err := caller.Err(); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if c.heard.Load() != heard {
		return fmt.Errorf("%s: %w: the broker did not acknowledge the request within %s", method, ErrTimeout, c.opt.RPCTimeout)
	}
	c.linkSilent(cli)
	return fmt.Errorf("%s: %w: the broker did not acknowledge the request within %s", method, ErrOffline, c.opt.RPCTimeout)
}

// linkSilent ends the connection cli if it is still the current one: the
// broker did not acknowledge a request on it in time. Lookups answer
// offline at once from here on, and the session ends and connects anew.
func (c *Client) linkSilent(cli mqtt.Client) {
	c.mu.Lock()
	if c.cli != cli {
		c.mu.Unlock()
		return
	}
	end := c.endSession
	c.cli, c.endSession, c.status.Connected = nil, nil, false
	c.endCallsLocked()
	c.mu.Unlock()
	c.markDirty()
	c.log.Warn("the broker did not acknowledge a lookup's request in time; its connection is taken for dead and replaced", "timeout", c.opt.RPCTimeout)
	select {
	case end <- fmt.Errorf("the broker did not acknowledge a request within %s", c.opt.RPCTimeout):
	default: // the session is ending already
	}
}

// rpcReply is what a waiting Call is handed: central's answer, or why
// there is none to use.
type rpcReply struct {
	r   RPCResponse
	err error
}

// callOn registers the call id on the current connection and returns
// that connection; nil, registering nothing, when the node is not
// connected.
func (c *Client) callOn(id string, ch chan rpcReply) mqtt.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cli == nil || !c.cli.IsConnected() {
		return nil
	}
	c.calls[id] = ch
	return c.cli
}

// errConnectionEnded is what a call waiting when its connection ends is
// told: its answer, if central sends one, goes to a connection that is
// gone.
var errConnectionEnded = fmt.Errorf("%w: the connection ended before central answered", ErrOffline)

// endCallsLocked tells every waiting call that its connection has ended.
// c.mu must be held.
func (c *Client) endCallsLocked() {
	for id, ch := range c.calls {
		select {
		case ch <- rpcReply{err: errConnectionEnded}:
		default:
		}
		delete(c.calls, id)
	}
}

// onRPCResponse hands an answer to its waiting Call; it runs in paho's
// router and never blocks. An answer that does not follow the contract is
// refused and counted, and its call, if its id can be read, is told so at
// once rather than left to time out. Answers nobody waits for (late,
// repeated, or for another id) are dropped.
func (c *Client) onRPCResponse(topic string, payload []byte) {
	r, err := ParseRPCResponse(payload)
	if err != nil {
		c.enqueue(inbound{topic: topic, err: err})
		if id := responseID(payload); id != "" {
			c.answer(id, rpcReply{err: fmt.Errorf("central's answer: %w", err)})
		}
		return
	}
	c.answer(r.ID, rpcReply{r: r})
}

func (c *Client) answer(id string, a rpcReply) {
	c.mu.Lock()
	ch := c.calls[id]
	c.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- a:
	default: // answered already
	}
}

// responseID reads the id of an answer ParseRPCResponse refused, if it has
// one; "" if not.
func responseID(b []byte) string {
	if len(b) > maxPayload {
		return ""
	}
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	return v.ID
}

// Customer is the answer to customer.lookup.
type Customer struct {
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	Language string             `json:"language"`
	Points   int64              `json:"points"`
	Recent   []CustomerActivity `json:"recent"`
}

// CustomerActivity is one recent purchase of a customer.
type CustomerActivity struct {
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
	Total   int64     `json:"total"` // minor units
	OrderID string    `json:"order_id,omitempty"`
	SaleID  string    `json:"sale_id,omitempty"`
}

// RemoteLine is a line of an order or sale central looked up.
type RemoteLine struct {
	LineID    string `json:"line_id,omitempty"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
	Unit      string `json:"unit,omitempty"` // "each" or "kg" (qty in grams); none: pieces
	UnitPrice int64  `json:"unit_price"`
	Discount  int64  `json:"discount,omitempty"`
	TaxRateBP int64  `json:"tax_rate_bp"`
	Amount    int64  `json:"amount,omitempty"`
}

// RemotePayment is a payment of a sale central looked up.
type RemotePayment struct {
	Method string `json:"method"`
	Amount int64  `json:"amount"`
}

// OrderDetails is the answer to order.lookup.
type OrderDetails struct {
	Lines   []RemoteLine     `json:"lines"`
	Payment pos.OrderPayment `json:"payment"`
}

// SaleDetails is the answer to sale.lookup.
type SaleDetails struct {
	Lines    []RemoteLine    `json:"lines"`
	Payments []RemotePayment `json:"payments"`
}

// decodeResult decodes a lookup's result into v, once it has checked that
// every field of required is present and not null. It returns the
// result's fields, for checks of what they hold.
func decodeResult(method string, raw json.RawMessage, v any, required ...string) (map[string]json.RawMessage, error) {
	m, err := fields(raw, required...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", method, ErrInvalidPayload, err)
	}
	return m, nil
}

// What each line and payment of a looked-up order or sale must carry,
// present and not null. Decoded, a missing price, tax rate or amount reads
// as 0, and a return against it would refund nothing or reckon no tax;
// a missing status would make an order paid online look unpaid. 0 is a
// valid price, rate and amount when it is there.
var (
	remoteLineFields   = []string{"sku", "qty", "unit_price", "tax_rate_bp"}
	orderPaymentFields = []string{"status", "amount"}
	salePaymentFields  = []string{"method", "amount"}
)

// requireObject reports the first field of required that the object field
// name of m lacks.
func requireObject(m map[string]json.RawMessage, name string, required ...string) error {
	if _, err := fields(m[name], required...); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// requireEach reports the first element of the array field name of m that
// is not an object with every field of required.
func requireEach(m map[string]json.RawMessage, name string, required ...string) error {
	var elems []json.RawMessage
	if err := decode(m, name, &elems); err != nil {
		return err
	}
	for i, e := range elems {
		if _, err := fields(e, required...); err != nil {
			return fmt.Errorf("%s[%d]: %w", name, i, err)
		}
	}
	return nil
}

func checkLines(method string, ls []RemoteLine) error {
	for i, l := range ls {
		if !pos.ValidSKU(l.SKU) || l.Qty <= 0 || l.Qty > pos.MaxQuantity || l.UnitPrice < 0 || l.UnitPrice > pos.MaxPrice || l.TaxRateBP < 0 || l.TaxRateBP > 10000 {
			return fmt.Errorf("%s: %w: line %d out of range", method, ErrInvalidPayload, i)
		}
		if l.Discount < 0 || l.Discount > pos.MaxPrice*pos.MaxQuantity || l.Amount < 0 || l.Amount > pos.MaxPrice*pos.MaxQuantity {
			return fmt.Errorf("%s: %w: line %d: discount or amount out of range", method, ErrInvalidPayload, i)
		}
		if l.Unit != "" && l.Unit != pos.UnitEach && l.Unit != pos.UnitKg {
			return fmt.Errorf("%s: %w: line %d: unit must be %q or %q", method, ErrInvalidPayload, i, pos.UnitEach, pos.UnitKg)
		}
	}
	return nil
}

// CustomerLookup asks central for a customer by loyalty id, phone or
// e-mail.
func (c *Client) CustomerLookup(ctx context.Context, query string) (Customer, error) {
	raw, err := c.Call(ctx, "customer.lookup", map[string]string{"query": query})
	if err != nil {
		return Customer{}, err
	}
	cu, err := parseCustomer(raw)
	if err != nil {
		return Customer{}, c.refuseResult(err)
	}
	return cu, nil
}

// refuseResult has a result that does not follow the contract logged and
// counted with the refused payloads, as an answer that does not is, and
// returns err. The state worker records it: the caller, a till waiting
// for its lookup, is not held up by a write.
func (c *Client) refuseResult(err error) error {
	c.enqueue(inbound{topic: c.t.rpcResponse, err: err})
	return err
}

// maxRecent is the most recent purchases of a customer the node takes.
const maxRecent = 1000

// maxCustomerName is the most bytes of a looked-up customer's name the
// node keeps.
const maxCustomerName = 200

// parseCustomer decodes and checks customer.lookup's result. The id goes
// on the sale as its customer_id, the name and purchases to the till's
// screen: ids and codes must be text of a sensible length, and money in
// range. The name is free text, cleaned rather than refused.
func parseCustomer(raw json.RawMessage) (Customer, error) {
	const method = "customer.lookup"
	var cu Customer
	if _, err := decodeResult(method, raw, &cu, "id", "name"); err != nil {
		return Customer{}, err
	}
	bad := func(err error) (Customer, error) { return Customer{}, fmt.Errorf("%s: %w", method, err) }
	if cu.ID == "" {
		return bad(invalid("id must not be empty"))
	}
	// A tab in a name must not leave the customer unfound at the till.
	cu.Name = pos.CleanText(cu.Name, maxCustomerName)
	for _, f := range []struct {
		name, v string
		max     int
	}{{"id", cu.ID, 64}, {"language", cu.Language, 16}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return bad(err)
		}
	}
	if cu.Points < -pos.MaxCartAmount || cu.Points > pos.MaxCartAmount {
		return bad(invalid("points %d out of range", cu.Points))
	}
	if len(cu.Recent) > maxRecent {
		return bad(invalid("%d recent purchases, more than %d", len(cu.Recent), maxRecent))
	}
	for i, a := range cu.Recent {
		if a.Total < -pos.MaxCartAmount || a.Total > pos.MaxCartAmount {
			return bad(invalid("recent[%d]: total %d out of range", i, a.Total))
		}
		for _, f := range []struct{ name, v string }{{"channel", a.Channel}, {"order_id", a.OrderID}, {"sale_id", a.SaleID}} {
			if err := checkText(fmt.Sprintf("recent[%d].%s", i, f.name), f.v, 64); err != nil {
				return bad(err)
			}
		}
	}
	return cu, nil
}

// OrderLookup asks central for an online order's delivered lines and
// payment, for a return in store.
func (c *Client) OrderLookup(ctx context.Context, orderID string) (OrderDetails, error) {
	raw, err := c.Call(ctx, "order.lookup", map[string]string{"order_id": orderID})
	if err != nil {
		return OrderDetails{}, err
	}
	d, err := parseOrderDetails(raw)
	if err != nil {
		return OrderDetails{}, c.refuseResult(err)
	}
	return d, nil
}

// parseOrderDetails decodes and checks order.lookup's result: lines, each
// with sku, qty, unit_price and tax_rate_bp, and the order's payment with
// its status and amount.
func parseOrderDetails(raw json.RawMessage) (OrderDetails, error) {
	const method = "order.lookup"
	var d OrderDetails
	m, err := decodeResult(method, raw, &d, "lines", "payment")
	if err != nil {
		return OrderDetails{}, err
	}
	if err := requireEach(m, "lines", remoteLineFields...); err != nil {
		return OrderDetails{}, fmt.Errorf("%s: %w", method, err)
	}
	if err := requireObject(m, "payment", orderPaymentFields...); err != nil {
		return OrderDetails{}, fmt.Errorf("%s: %w", method, err)
	}
	if err := checkLines(method, d.Lines); err != nil {
		return OrderDetails{}, err
	}
	if err := checkOrderPayment(d.Payment); err != nil {
		return OrderDetails{}, fmt.Errorf("%s: %w", method, err)
	}
	return d, nil
}

// checkOrderPayment checks a looked-up order's payment as the order's own
// on its topic: a status the contract names, and an amount in range. A
// status of another spelling would be taken for "not paid online".
func checkOrderPayment(p pos.OrderPayment) error {
	if p.Status != pos.OrderPaid && p.Status != pos.OrderPayAtPickup {
		return invalid("payment.status must be %q or %q, not %q", pos.OrderPaid, pos.OrderPayAtPickup, clip(p.Status))
	}
	if p.Amount < 0 || p.Amount > pos.MaxPrice*pos.MaxLines {
		return invalid("payment.amount %d out of range", p.Amount)
	}
	return nil
}

// SaleLookup asks central for a sale of another store, for a return.
func (c *Client) SaleLookup(ctx context.Context, store, saleID string) (SaleDetails, error) {
	raw, err := c.Call(ctx, "sale.lookup", map[string]string{"store": store, "sale_id": saleID})
	if err != nil {
		return SaleDetails{}, err
	}
	d, err := parseSaleDetails(raw)
	if err != nil {
		return SaleDetails{}, c.refuseResult(err)
	}
	return d, nil
}

// parseSaleDetails decodes and checks sale.lookup's result: lines, each
// with sku, qty, unit_price and tax_rate_bp, and payments, each with
// method and amount.
func parseSaleDetails(raw json.RawMessage) (SaleDetails, error) {
	const method = "sale.lookup"
	var d SaleDetails
	m, err := decodeResult(method, raw, &d, "lines", "payments")
	if err != nil {
		return SaleDetails{}, err
	}
	if err := requireEach(m, "lines", remoteLineFields...); err != nil {
		return SaleDetails{}, fmt.Errorf("%s: %w", method, err)
	}
	if err := requireEach(m, "payments", salePaymentFields...); err != nil {
		return SaleDetails{}, fmt.Errorf("%s: %w", method, err)
	}
	if err := checkLines(method, d.Lines); err != nil {
		return SaleDetails{}, err
	}
	for i, p := range d.Payments {
		if p.Method == "" || checkText("method", p.Method, 64) != nil {
			return SaleDetails{}, fmt.Errorf("%s: %w", method, invalid("payments[%d]: method must be 1-64 bytes of text", i))
		}
	}
	return d, nil
}
