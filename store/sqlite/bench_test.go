package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// BenchmarkInsertMessage stores 30 KB messages one per transaction (a pipe
// delivery, synchronous FULL) and 100 per transaction (an import). ns/op
// is per message, so the two figures compare directly.
func BenchmarkInsertMessage(b *testing.B) {
	for _, bc := range []struct {
		name  string
		batch int
		sync  string
	}{
		{"tx=1/sync=FULL", 1, "FULL"},
		{"tx=100/sync=FULL", 100, "FULL"},
		{"tx=100/sync=NORMAL", 100, "NORMAL"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db := openTestAt(b, filepath.Join(b.TempDir(), "bench.db"), Options{Synchronous: bc.sync})
			var owner, thread int64
			update(b, db, func(tx store.Tx) error {
				u, err := tx.CreateUser("ann@acme.example", "Ann")
				if err != nil {
					return err
				}
				th := &store.Thread{Subject: "bench"}
				owner, err = u.ID, tx.CreateThread(th)
				thread = th.ID
				return err
			})
			raw := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz widget quote\r\n"), 30*1024/51)
			b.SetBytes(int64(len(raw)))
			b.ResetTimer()
			for i := 0; i < b.N; {
				n := min(bc.batch, b.N-i)
				err := db.Update(context.Background(), func(tx store.Tx) error {
					for j := 0; j < n; j++ {
						m := message(owner, thread, fmt.Sprintf("b%d@bench.example", i+j), "bench")
						m.Raw = raw
						m.TextBody = string(raw[:4096])
						if err := tx.InsertMessage(m); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				i += n
			}
		})
	}
}
