package sqlite

import (
	"context"
	"fmt"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Commit writes b in one transaction on the write connection.
func (s *Store) Commit(ctx context.Context, b *recorder.Batch) (err error) {
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	defer func() {
		if err != nil {
			s.known.forget() // it learned what the rollback undid
		}
	}()
	if err := s.write(s.stmts.in(tx), b); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// write runs b's statements: the items, then the links, then the task rows
// with the links' counts.
func (s *Store) write(st statements, b *recorder.Batch) error {
	for _, it := range b.Items {
		var err error
		switch {
		case it.Start != nil:
			err = st.insertExchange(it.Start)
		case it.Event != nil:
			err = st.insertEvent(it.Event)
		case it.End != nil:
			err = st.finishExchange(it.End, s.log)
		case it.Checks != nil:
			err = st.replaceFindings(it.Checks)
		}
		if err != nil {
			return err
		}
	}
	clear(s.newLinks)
	for _, link := range b.Links {
		added, err := st.linkTask(link)
		if err != nil {
			return err
		}
		if added {
			s.newLinks[link.TaskID]++
		}
	}
	for i := range b.Tasks {
		c := &b.Tasks[i]
		if err := st.upsertTask(c, s.newLinks[c.TaskID], s.known); err != nil {
			return err
		}
	}
	return nil
}
