package sqlite

import (
	"context"
	"errors"
	"sync"

	"github.com/vrrec/vrrec"
)

// maxGroup bounds the answers whose messages one transaction commits.
const maxGroup = 64

// errClosed is what an append gets once the database is closing.
var errClosed = errors.New("the database is closed")

// groupCommit writes the messages of concurrent answers in one transaction,
// one WAL commit for all the answers waiting, instead of one each: the
// writes of a busy chat cost a fraction of a commit apiece. Every answer
// still returns only once its own messages are committed, so nothing
// answered is lost if the process dies.
type groupCommit struct {
	mu     sync.RWMutex // held to send; Close takes it to stop sends
	closed bool
	reqs   chan *appendReq
	done   chan struct{}
}

// appendReq is one answer's messages, and where its result goes.
type appendReq struct {
	userID, sessionID string
	msgs              []vrrec.Message
	err               chan error // buffered: the committer never waits
}

func startGroupCommit(commit func(ctx context.Context, group []*appendReq) error,
	alone func(ctx context.Context, r *appendReq) error) *groupCommit {
	g := &groupCommit{reqs: make(chan *appendReq, maxGroup), done: make(chan struct{})}
	go func() {
		defer close(g.done)
		for r := range g.reqs {
			group := []*appendReq{r}
		gather:
			for len(group) < maxGroup {
				select {
				case r, ok := <-g.reqs:
					if !ok {
						break gather
					}
					group = append(group, r)
				default:
					break gather
				}
			}
			// Not the answers' contexts: a student who leaves does not
			// undo the messages of the others in the group.
			ctx := context.Background()
			if len(group) == 1 || commit(ctx, group) != nil {
				// Alone, or one bad write failed the group: each on its
				// own, so only it fails.
				for _, r := range group {
					r.err <- alone(ctx, r)
				}
				continue
			}
			for _, r := range group {
				r.err <- nil
			}
		}
	}()
	return g
}

// append queues r and waits until its messages are committed or ctx ends.
func (g *groupCommit) append(ctx context.Context, r *appendReq) error {
	r.err = make(chan error, 1)
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errClosed
	}
	select {
	case g.reqs <- r:
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	g.mu.RUnlock()
	select {
	case err := <-r.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close commits what is queued and stops.
func (g *groupCommit) close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.reqs)
	}
	g.mu.Unlock()
	<-g.done
}
