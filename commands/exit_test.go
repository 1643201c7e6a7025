package commands

import (
	"errors"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// TestExitCodeByCodeNotWords: an error of smartbcc's own exits by its
// code; only an error without one (cobra's) is read for the words cobra
// uses. A conflict whose message says "accepts" or "required flag" is
// still a conflict (1), not a usage error (2).
func TestExitCodeByCodeNotWords(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{store.Errorf(store.EConflict, "deal 1 was removed: its Bcc address no longer accepts mail"), exitFailure},
		{store.Errorf(store.EPermission, "the required flag of a deal"), exitFailure},
		{store.Errorf(store.EUnavailable, "the server accepts no connection"), exitFailure},
		{store.Errorf(store.EInvalid, "invalid status"), exitUsage},
		{store.Errorf(store.ENotFound, "no such deal 1"), exitNotFound},
		{errors.New(`accepts 1 arg(s), received 2`), exitUsage},
		{errors.New(`required flag(s) "user" not set`), exitUsage},
		{errors.New(`unknown flag: --bogus`), exitUsage},
		{errors.New(`something else`), exitFailure},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%q) = %d, want %d", c.err, got, c.want)
		}
	}
}
