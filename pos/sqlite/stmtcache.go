package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the writer's prepared statements. Pure-Go SQLite spends
// more time parsing a statement than running it on a small row, and a
// sale runs a score of statements, so each distinct query text is
// prepared once on the writer's single connection and reused by every
// transaction after the one that first ran it.
//
// A statement cannot be prepared on the writer while a transaction holds
// its only connection, so a text seen for the first time runs unprepared
// and is noted; Update prepares the noted texts before it begins the next
// transaction. The cache is bounded: past maxStmts texts (multi-row
// inserts of unusual sizes) run unprepared, as before.
type stmtCache struct {
	mu      sync.Mutex // guards stmts and pending
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

const maxStmts = 256

// get returns the prepared statement of query, or nil after noting it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.pending) < maxStmts {
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		c.pending[query] = true
	}
	return nil
}

// prepare prepares the noted texts on w. It must not be called inside a
// transaction of w; it holds no lock while it waits for the connection.
func (c *stmtCache) prepare(ctx context.Context, w *sql.DB) {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		todo = append(todo, q)
	}
	c.pending = nil
	c.mu.Unlock()
	for _, q := range todo {
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared and reports its own error
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		if _, dup := c.stmts[q]; dup {
			st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// execContext runs a statement in the transaction, prepared once per
// query text.
func (tx *Tx) execContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.sqlTx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.sqlTx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row in the transaction, prepared
// once per query text.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.sqlTx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.sqlTx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction, prepared once per query
// text.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.sqlTx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.sqlTx.QueryContext(ctx, query, args...)
}
