package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/posnode/posnode/pos"
)

// SyncSummaries reports how much of central's catalog and stock the node
// holds. When Options.Store implements it, GET /api/v1/settings includes
// the summary.
type SyncSummaries interface {
	SyncSummary(ctx context.Context) (pos.SyncSummary, error)
}

// RejectedEvents is implemented by a store that keeps the events central
// rejected (recorded, but not applied, with central's reason). When
// Options.Store implements it, GET /api/v1/sync/rejected lists them for a
// manager, newest first.
type RejectedEvents interface {
	RejectedEvents(ctx context.Context, limit int) ([]pos.Event, []pos.Rejection, error)
}

// rejectedEvent is one event central rejected, as the manager's screen
// lists it.
type rejectedEvent struct {
	Seq    int64           `json:"seq"`
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Time   time.Time       `json:"time"`
	Reason string          `json:"reason"`
	Data   json.RawMessage `json:"data"`
}

// managerRoutes adds the settings page for every signed-in screen, the
// events central rejected for a manager when Options.Store keeps them
// (RejectedEvents) and, when Options.Store keeps staff (pos.StaffStore),
// the manager's staff pages:
//
//	GET    /api/v1/staff            every member, active or not
//	POST   /api/v1/staff            add a member with a first PIN
//	PATCH  /api/v1/staff/{id}       change name, role, language or active
//	PUT    /api/v1/staff/{id}/pin   reset the PIN
//
// A manager cannot lower their own role or deactivate themselves, and no
// change leaves the store without an active manager. Deactivating a
// member ends their sessions; it and a change of role close their
// websockets at once. Each change is journalled with the manager who
// made it.
func (s *Server) managerRoutes() {
	s.Handle("GET /api/v1/settings", pos.RoleCashier, s.settings)
	if rs, ok := s.opt.Store.(RejectedEvents); ok {
		s.Handle("GET /api/v1/sync/rejected", pos.RoleManager, func(w http.ResponseWriter, r *http.Request, _ pos.Session) error {
			return rejected(w, r, rs)
		})
	}
	store, ok := s.opt.Store.(pos.StaffStore)
	if !ok {
		return
	}
	a := &staffPages{s: s, admin: pos.NewStaffAdmin(store)}
	s.RegisterError(pos.ErrInvalidStaff, "invalid_staff", http.StatusBadRequest)
	s.RegisterError(pos.ErrSelfChange, "self_change", http.StatusConflict)
	s.RegisterError(pos.ErrLastManager, "last_manager", http.StatusConflict)
	m := pos.RoleManager
	s.Handle("GET /api/v1/staff", m, a.list)
	s.Handle("POST /api/v1/staff", m, a.add)
	s.Handle("PATCH /api/v1/staff/{id}", m, a.change)
	s.Handle("PUT /api/v1/staff/{id}/pin", m, a.resetPIN)
}

// settings answers the store settings received from central and, when the
// store can tell, the catalog and stock sync summary.
func (s *Server) settings(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	set, err := s.opt.Store.Settings(r.Context())
	if err != nil {
		return err
	}
	out := map[string]any{"settings": set}
	if ss, ok := s.opt.Store.(SyncSummaries); ok {
		sum, err := ss.SyncSummary(r.Context())
		if err != nil {
			return err
		}
		out["sync"] = sum
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// rejected answers the events central rejected, newest first: limit
// (1–500, default 100) of them.
func rejected(w http.ResponseWriter, r *http.Request, rs RejectedEvents) error {
	limit, err := queryInt(r, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	evs, reasons, err := rs.RejectedEvents(r.Context(), limit)
	if err != nil {
		return err
	}
	out := make([]rejectedEvent, len(evs))
	for i, ev := range evs {
		out[i] = rejectedEvent{Seq: ev.Seq, ID: ev.ID, Type: ev.Type, Time: ev.Time, Reason: reasons[i].Reason, Data: ev.Data}
		if !json.Valid(out[i].Data) {
			out[i].Data = nil
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type staffPages struct {
	s     *Server
	admin *pos.StaffAdmin
}

// staffRow is a member as the staff page lists them: LockedOut when their
// logins are refused for now after wrong PINs, which a PIN reset ends.
type staffRow struct {
	pos.Staff
	LockedOut bool `json:"locked_out,omitempty"`
}

func (a *staffPages) list(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	list, err := a.admin.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]staffRow, len(list))
	for i, st := range list {
		out[i].Staff = st
		out[i].LockedOut = a.s.opt.Service != nil && a.s.opt.Service.LockedOut(st.ID)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *staffPages) add(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		ID       string   `json:"id"`
		Name     string   `json:"name"`
		Role     pos.Role `json:"role"`
		Language string   `json:"language"`
		PIN      string   `json:"pin"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	st, err := a.admin.Add(r.Context(), who.Staff.ID, pos.Staff{ID: req.ID, Name: req.Name, Role: req.Role, Language: req.Language}, req.PIN)
	if err != nil {
		return err
	}
	a.s.log.Info("staff added", "staff", st.ID, "role", st.Role, "by", who.Staff.ID)
	a.s.hub.Publish(Message{Type: "staff", Data: map[string]string{"staff": st.ID, "change": "added"}})
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *staffPages) change(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req pos.StaffChange
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.PIN != "" {
		return fmt.Errorf("%w: a PIN is reset with PUT /api/v1/staff/{id}/pin", errBadRequest)
	}
	return a.apply(w, r, who, req, "changed")
}

func (a *staffPages) resetPIN(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		PIN string `json:"pin"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.PIN == "" {
		return pos.ErrWeakPIN
	}
	return a.apply(w, r, who, pos.StaffChange{PIN: req.PIN}, "pin_reset")
}

func (a *staffPages) apply(w http.ResponseWriter, r *http.Request, who pos.Session, c pos.StaffChange, what string) error {
	id := r.PathValue("id")
	st, err := a.admin.Change(r.Context(), who.Staff.ID, id, c)
	if err != nil {
		return err
	}
	if c.Role != nil || c.Active != nil || c.PIN != "" {
		// Screens hold the role they connected with: make them reconnect
		// (a deactivated member's reconnect is refused, and so is one
		// with a session of the PIN before a reset).
		a.s.hub.DropSessions(func(s pos.Session) bool { return s.DeviceID == "" && s.Staff.ID == id })
	}
	if c.PIN != "" && a.s.opt.Service != nil {
		a.s.opt.Service.PINReset(id) // the new PIN works at once where the old one was locked out
	}
	a.s.log.Info("staff "+what, "staff", id, "role", st.Role, "active", st.Active, "by", who.Staff.ID)
	a.s.hub.Publish(Message{Type: "staff", Data: map[string]string{"staff": id, "change": what}})
	writeJSON(w, http.StatusOK, st)
	return nil
}
