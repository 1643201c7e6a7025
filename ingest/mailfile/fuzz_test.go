package mailfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"time"
)

// addSeeds adds every testdata/*.mbox file and every writer's archive in
// testdata/writers as a fuzz seed.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob("testdata/*.mbox")
	writers, err2 := filepath.Glob("testdata/writers/*")
	files = append(files, writers...)
	if err != nil || err2 != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata: %v %v", err, err2)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzMboxReader checks, for any input: no panic; every byte is a message
// byte, framing or a removed quote; the result does not depend on how the
// input arrives; MaxSize only turns big messages into ErrTooLarge; and
// writing the messages with MboxWriter and reading them back as mboxrd gives
// the same bytes.
func FuzzMboxReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, q := range []quoting{quoteMboxrd, quoteMboxo} {
			r := newMboxReader(bytes.NewReader(data), "f", q, DefaultMaxSize, readBufSize)
			items := readItems(t, r)
			var sum int64
			lastOff := int64(-1)
			for _, it := range items {
				sum += it.Size
				if it.Err != nil {
					if it.Raw != nil {
						t.Fatalf("%s: Raw with Err %v", it.Origin, it.Err)
					}
					if (it.Skipped != "") != errors.Is(it.Err, ErrSkipped) {
						t.Fatalf("%s: Skipped %q with Err %v", it.Origin, it.Skipped, it.Err)
					}
					if it.Skipped != "" {
						if it.Offset < lastOff || it.Offset >= int64(len(data)) {
							t.Fatalf("%s: offset %d after %d", it.Origin, it.Offset, lastOff)
						}
						lastOff = it.Offset
					}
					continue
				}
				if it.Size != int64(len(it.Raw)) || it.Size == 0 {
					t.Fatalf("%s: Size %d, len(Raw) %d", it.Origin, it.Size, len(it.Raw))
				}
				if it.Offset <= lastOff || it.Offset >= int64(len(data)) {
					t.Fatalf("%s: offset %d after %d", it.Origin, it.Offset, lastOff)
				}
				lastOff = it.Offset
			}
			if got := sum + r.framing + r.quotes; got != int64(len(data)) {
				t.Fatalf("accounted %d of %d bytes", got, len(data))
			}

			trickle := readItems(t, newMboxReader(iotest.OneByteReader(bytes.NewReader(data)), "f", q, DefaultMaxSize, minBufSize))
			if !sameItems(items, trickle) {
				t.Fatalf("one byte at a time gives other items")
			}

			const small = 64
			bounded := readItems(t, newMboxReader(bytes.NewReader(data), "f", q, small, readBufSize))
			if len(bounded) != len(items) {
				t.Fatalf("MaxSize %d: %d items, want %d", small, len(bounded), len(items))
			}
			for i, it := range bounded {
				// A message too large to hold is not looked at: it cannot be
				// told to be UW-IMAP's folder data either.
				wasMessage := items[i].Err == nil || items[i].Skipped == SkipFolderData
				if it.Size != items[i].Size || (it.Size > small && wasMessage) != errors.Is(it.Err, ErrTooLarge) {
					t.Fatalf("MaxSize %d: item %d size %d err %v; unbounded size %d", small, i, it.Size, it.Err, items[i].Size)
				}
				if it.Err == nil && !bytes.Equal(it.Raw, items[i].Raw) {
					t.Fatalf("MaxSize %d: item %d is %q, unbounded %q", small, i, it.Raw, items[i].Raw)
				}
				// The digest of a message too large to keep is that of the
				// bytes it would have had.
				if errors.Is(it.Err, ErrTooLarge) && items[i].Err == nil {
					if want := sha256.Sum256(items[i].Raw); it.RawSHA256 != hex.EncodeToString(want[:]) {
						t.Fatalf("MaxSize %d: item %d digest %s, want that of %q", small, i, it.RawSHA256, items[i].Raw)
					}
				}
			}

			if q == quoteMboxrd {
				var msgs [][]byte
				for _, it := range items {
					if it.Err != nil {
						continue
					}
					if err := NewMboxWriter(&bytes.Buffer{}).Write(it.EnvelopeFrom, time.Time{}, it.Raw); err != nil {
						if !errors.Is(err, ErrNotMessage) {
							t.Fatalf("Write: %v", err)
						}
						continue
					}
					msgs = append(msgs, it.Raw)
				}
				roundTrip(t, msgs)
			}
		}
		// Whatever a stream holds, OpenReader must yield Items, not fail.
		r, err := OpenReader(bytes.NewReader(data), "-", Options{})
		if err != nil {
			t.Fatal(err)
		}
		readItems(t, r)
	})
}

// FuzzMboxWriter checks that any two messages MboxWriter accepts read back
// as they were written.
func FuzzMboxWriter(f *testing.F) {
	f.Add([]byte("Subject: a\n\nFrom x\n"), []byte(">From y\n\n>>From z"))
	f.Add([]byte("Subject: a\r\n\r\nx\r"), []byte("X: \x00\n\nFrom a@x Mon Jan  1 00:00:00 2024\nS: s\n\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var msgs [][]byte
		for _, m := range [][]byte{a, b} {
			if err := NewMboxWriter(&bytes.Buffer{}).Write("s@x", time.Time{}, m); err == nil {
				msgs = append(msgs, m)
			}
		}
		roundTrip(t, msgs)
	})
}
