package printer

import (
	"context"
	"errors"
	"io"
	"sync"
)

// ContextReadWriter is a device that stays open across connections and
// whose reads can be cancelled, such as a serial port manager that
// reopens a hot-plugged printer by itself.
type ContextReadWriter interface {
	ReadContext(ctx context.Context, p []byte) (int, error)
	Write(p []byte) (int, error)
}

// SharedPort returns an Options.Open for dev. Each port it opens reads
// through dev until the port is closed; closing cancels a blocked read
// and leaves dev itself open for the next port.
func SharedPort(dev ContextReadWriter) func() (io.ReadWriteCloser, error) {
	return func() (io.ReadWriteCloser, error) {
		ctx, cancel := context.WithCancel(context.Background())
		return &sharedPort{dev: dev, ctx: ctx, cancel: cancel}, nil
	}
}

var errPortClosed = errors.New("printer: port closed")

type sharedPort struct {
	dev    ContextReadWriter
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
}

func (p *sharedPort) Read(b []byte) (int, error) {
	if p.ctx.Err() != nil {
		return 0, errPortClosed
	}
	n, err := p.dev.ReadContext(p.ctx, b)
	if err != nil && p.ctx.Err() != nil {
		return n, errPortClosed
	}
	return n, err
}

func (p *sharedPort) Write(b []byte) (int, error) {
	if p.ctx.Err() != nil {
		return 0, errPortClosed
	}
	return p.dev.Write(b)
}

func (p *sharedPort) Close() error {
	p.once.Do(p.cancel)
	return nil
}
