package sqlite

import "os"

// Pack appends written beside the transaction, not in it.
//
// An import's writer is the one serial stage of the pipeline, and it
// spent a tenth of its time in the pwrite of each message's raw bytes
// (0.5 s of the reference corpus' 20,000 messages): kernel copying that
// needs nothing from SQLite. The place of every message in its pack is
// fixed by the writer (appendRaw), so the bytes themselves can be written
// by a goroutine of the transaction while the writer goes on with the
// message's rows, and on the other core.
//
// Nothing about consistency moves: the appender is drained before the
// packs are synced for COMMIT (syncPacks), before they are cut back on
// rollback (undoPacks, so that no late write lengthens a file after it
// was cut), and before the transaction reads a pack itself. Its first
// error fails the transaction there, as the pwrite's own error did.
//
// The bytes are not copied: the caller of InsertMessage must leave m.Raw
// unchanged until Update returns, or until the Within around the insert
// returns (it waits for the appender: an import then drops the batch's
// raw mail from its memory budget while the transaction stays open).

// packChunk is one message's bytes for the appender, or a flush request.
type packChunk struct {
	f    *os.File
	pack int64
	off  int64
	data []byte
	// flushed, when set, is closed once every chunk before it is written.
	flushed chan struct{}
}

// packAppender writes the chunks it is given, in order, from its own
// goroutine.
type packAppender struct {
	queue chan packChunk
	done  chan struct{}
	// err and errPack are the first failed write, read after a flush.
	err     error
	errPack int64
	// started is, per file, how far its bytes have been handed to the
	// disk (startWriteback): the fdatasync before COMMIT then mostly
	// finds them written, and the writer waits less for the disk.
	started map[*os.File]int64
}

// appenderQueue is how many messages the writer may be ahead of the
// appender before it waits for it.
const appenderQueue = 64

func startAppender() *packAppender {
	a := &packAppender{queue: make(chan packChunk, appenderQueue), done: make(chan struct{}),
		started: map[*os.File]int64{}}
	go a.run()
	return a
}

func (a *packAppender) run() {
	defer close(a.done)
	for c := range a.queue {
		if c.flushed != nil {
			close(c.flushed)
			continue
		}
		if a.err != nil {
			continue // the transaction fails; the packs are cut back
		}
		if _, err := c.f.WriteAt(c.data, c.off); err != nil {
			a.err, a.errPack = err, c.pack
			continue
		}
		end := c.off + int64(len(c.data))
		from, ok := a.started[c.f]
		if !ok {
			from = c.off
			a.started[c.f] = from
		}
		if end-from >= writebackChunk {
			// Best effort: the fdatasync before COMMIT is what counts.
			_ = startWriteback(c.f, from, end-from)
			a.started[c.f] = end
		}
	}
}

// append queues data to be written at off in f (pack number pack).
func (a *packAppender) append(f *os.File, pack, off int64, data []byte) {
	a.queue <- packChunk{f: f, pack: pack, off: off, data: data}
}

// flush waits until everything queued so far is written, and returns the
// first error with the pack it happened in.
func (a *packAppender) flush() (int64, error) {
	c := packChunk{flushed: make(chan struct{})}
	a.queue <- c
	<-c.flushed
	return a.errPack, a.err
}

// stop drains the queue and ends the goroutine; the appender is not used
// after.
func (a *packAppender) stop() (int64, error) {
	close(a.queue)
	<-a.done
	return a.errPack, a.err
}
