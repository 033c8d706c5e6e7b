package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/posnode/posnode/pos"
)

// APIError is the JSON body of every error answer: a stable code that
// screens translate, and a message in English for logs and tools.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorCodes maps domain errors to stable codes and HTTP statuses. Features
// add their own with Server.RegisterError.
type errorCode struct {
	err    error
	code   string
	status int
}

var errorCodes = []errorCode{
	{pos.ErrNotAuthorized, "not_authorized", http.StatusUnauthorized},
	{pos.ErrBadPIN, "bad_pin", http.StatusUnauthorized},
	{pos.ErrLockedOut, "locked_out", http.StatusTooManyRequests},
	{pos.ErrForbidden, "forbidden", http.StatusForbidden},
	{pos.ErrWeakPIN, "weak_pin", http.StatusBadRequest},
	{pos.ErrGuessablePIN, "guessable_pin", http.StatusBadRequest},
	{pos.ErrApprovalRequired, "approval_required", http.StatusForbidden},
	{pos.ErrUnknownCode, "unknown_code", http.StatusNotFound},
	{pos.ErrBadCheckDigit, "bad_check_digit", http.StatusBadRequest},
	{pos.ErrBadCode, "bad_code", http.StatusBadRequest},
	{pos.ErrOtherReceipt, "other_receipt", http.StatusConflict},
	{pos.ErrNotFound, "not_found", http.StatusNotFound},
	{pos.ErrInactiveItem, "inactive_item", http.StatusConflict},
	{pos.ErrBadQuantity, "bad_quantity", http.StatusBadRequest},
	{pos.ErrBadDiscount, "bad_discount", http.StatusBadRequest},
	{pos.ErrBadPrice, "bad_price", http.StatusBadRequest},
	{pos.ErrReasonRequired, "reason_required", http.StatusBadRequest},
	{pos.ErrCartLocked, "cart_locked", http.StatusConflict},
	{pos.ErrCartFull, "cart_full", http.StatusConflict},
	{pos.ErrEmptyCart, "empty_cart", http.StatusConflict},
	{pos.ErrTenderShort, "tender_short", http.StatusConflict},
	{pos.ErrOverTender, "over_tender", http.StatusConflict},
	{pos.ErrBadTender, "bad_tender", http.StatusBadRequest},
	{pos.ErrSettled, "settled", http.StatusConflict},
	{pos.ErrDeclined, "card_declined", http.StatusPaymentRequired},
	{pos.ErrTerminalTimeout, "terminal_timeout", http.StatusGatewayTimeout},
	{pos.ErrAborted, "card_aborted", http.StatusConflict},
	{pos.ErrNoTerminal, "no_terminal", http.StatusServiceUnavailable},
	{pos.ErrCardUnknown, "card_unknown", http.StatusBadGateway},
	{pos.ErrDuplicate, "duplicate", http.StatusConflict},
	{pos.ErrInvalidItem, "invalid_item", http.StatusBadRequest},
	// Click-and-collect.
	{pos.ErrOrderEnded, "order_ended", http.StatusConflict}, // before pickup_state, which comes with it
	{pos.ErrPickupState, "pickup_state", http.StatusConflict},
	{pos.ErrWrongItem, "wrong_item", http.StatusConflict},
	{pos.ErrOverPick, "over_pick", http.StatusConflict},
	{pos.ErrPickIncomplete, "pick_incomplete", http.StatusConflict},
	{pos.ErrNothingPicked, "nothing_picked", http.StatusConflict},
	{pos.ErrBadLocation, "bad_location", http.StatusBadRequest},
	{pos.ErrWrongCode, "wrong_code", http.StatusForbidden},
	{pos.ErrNotVerified, "not_verified", http.StatusForbidden},
	{pos.ErrNotOverdue, "not_overdue", http.StatusConflict},
	{pos.ErrCustomerHere, "customer_here", http.StatusConflict},
	{pos.ErrBadCollect, "bad_collect", http.StatusBadRequest},
	{pos.ErrPayAtPickup, "pay_at_pickup", http.StatusConflict},
	{pos.ErrPickupCart, "pickup_cart", http.StatusConflict},
	{pos.ErrStale, "stale", http.StatusConflict},
	{pos.ErrSubstituteUnit, "substitute_unit", http.StatusConflict},
	{pos.ErrInvalidOrder, "invalid_order", http.StatusBadRequest},
	// After-sales. offline and conflict are transient: the same request
	// may succeed later.
	{pos.ErrOffline, "offline", http.StatusServiceUnavailable},
	{pos.ErrCustomerOffline, "customer_offline", http.StatusServiceUnavailable},
	{pos.ErrConflict, "conflict", http.StatusConflict},
	{pos.ErrBadAnswer, "bad_answer", http.StatusBadGateway},
	{pos.ErrOverReturn, "over_return", http.StatusConflict},
	{pos.ErrNothingToReturn, "nothing_to_return", http.StatusBadRequest},
	{pos.ErrNotLastSale, "not_last_sale", http.StatusConflict},
	{pos.ErrVoided, "voided", http.StatusConflict},
	{pos.ErrHasReturns, "has_returns", http.StatusConflict},
	{pos.ErrShiftOpen, "shift_open", http.StatusConflict},
	{pos.ErrNoShift, "no_shift", http.StatusConflict},
	{pos.ErrShiftClosed, "shift_closed", http.StatusConflict},
	{pos.ErrVoucherBalance, "voucher_balance", http.StatusConflict},
	{pos.ErrVoucherLimit, "voucher_limit", http.StatusConflict},
	{pos.ErrParked, "parked", http.StatusConflict},
	{pos.ErrTrainingTender, "training_tender", http.StatusConflict},
	{pos.ErrTrainingCart, "training_cart", http.StatusConflict},
	{pos.ErrNotTraining, "not_training", http.StatusConflict},
	{pos.ErrTrainingReturn, "training_return", http.StatusConflict},
	{pos.ErrBadVoucherCode, "bad_voucher_code", http.StatusBadRequest},
	{pos.ErrInvalidAdjustment, "invalid_adjustment", http.StatusBadRequest},
	{pos.ErrAdjustmentsUnsupported, "not_found", http.StatusNotFound},
	{errBadRequest, "bad_request", http.StatusBadRequest},
	{pos.ErrInvalidRequest, "bad_request", http.StatusBadRequest},
	{errTooLarge, "too_large", http.StatusRequestEntityTooLarge},
	{errMediaType, "unsupported_media_type", http.StatusUnsupportedMediaType},
	{errMethod, "method_not_allowed", http.StatusMethodNotAllowed},
}

var (
	errBadRequest = errors.New("ui: malformed request")
	errTooLarge   = errors.New("ui: request too large")
)

// Classify returns the stable code and HTTP status the API gives err, for
// parts of the node that report errors to screens on other channels.
func (s *Server) Classify(err error) (APIError, int) { return s.classify(err) }

// internalMessage is all an answer says of an error the API has no code
// for: its details may name files, queries or code, and go to the log.
const internalMessage = "the node could not do this; try again, and if it keeps failing tell the store's IT (the node's log has the details)"

// classify returns the code and status of err; unknown errors are internal
// (and transient: disk full is reported as such), answered with
// internalMessage only.
func (s *Server) classify(err error) (APIError, int) {
	// Whatever kept a refund from being recorded, the refund is what the
	// person at the till must hear of.
	var refunded *pos.RefundedError
	if errors.As(err, &refunded) {
		return APIError{Code: "refunded_not_recorded", Message: "card refunded " + strings.Join(refunded.Cards, ", ") +
			" but not recorded; do not refund again"}, http.StatusInternalServerError
	}
	for _, e := range append(s.extraErrors, errorCodes...) {
		if errors.Is(err, e.err) {
			return APIError{Code: e.code, Message: err.Error()}, e.status
		}
	}
	return APIError{Code: "internal", Message: internalMessage}, http.StatusInternalServerError
}
