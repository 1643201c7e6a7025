// Package ptytest runs a program on a pseudo-terminal of a given size and
// renders what it wrote the way a terminal shows it, for tests of what
// people see: a table that must fit and line up, a progress line redrawn
// in place. It is for tests only.
//
// The renderer measures characters with go-runewidth's tables, which are
// not the ones smartbcc lays out its tables with (clipperhouse/
// displaywidth): a table that lines up on this screen lines up by an
// independent count of columns, not just by its own.
package ptytest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"
)

// Result is what a program run on a terminal wrote.
type Result struct {
	// Raw is every byte written to the terminal, escape sequences and all.
	Raw []byte
	// Screen is what the terminal shows at the end, one string per line
	// (trailing blanks trimmed, trailing empty lines dropped), scrolled
	// back: nothing that scrolled off is lost.
	Screen []string
	// ExitCode is the program's exit status.
	ExitCode int
}

// Run starts cmd with its standard input, output and error on a new
// pseudo-terminal cols wide and rows high, waits for it to end (or for ctx)
// and returns what it wrote. stdin, when not nil, is typed into the
// terminal.
func Run(ctx context.Context, cmd *exec.Cmd, cols, rows uint16, stdin []byte) (*Result, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, err
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: cols, Rows: rows}); err != nil {
		tty.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setctty = true
	if err := cmd.Start(); err != nil {
		tty.Close()
		return nil, err
	}
	tty.Close() // the child has its own copy

	var raw bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(&raw, ptmx)
		// Linux reports the end of a pty whose other side closed as EIO.
		if errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed) {
			err = nil
		}
		done <- err
	}()
	if len(stdin) > 0 {
		if _, err := ptmx.Write(stdin); err != nil {
			return nil, err
		}
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-waitErr:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-waitErr
		return nil, ctx.Err()
	}
	if err := <-done; err != nil {
		return nil, err
	}
	res := &Result{Raw: raw.Bytes(), Screen: Render(raw.Bytes(), int(cols))}
	var exit *exec.ExitError
	switch {
	case errors.As(werr, &exit):
		res.ExitCode = exit.ExitCode()
	case werr != nil:
		return nil, werr
	}
	return res, nil
}

// Render plays output on a terminal cols wide and returns its lines. It
// knows what programs like smartbcc write: text, CR, LF, backspace, tab,
// autowrap at the right margin, and the CSI sequences that move the cursor
// and erase (CUU, CUD, CUF, CUB, CHA, EL, ED); other escape sequences (SGR,
// OSC...) are read and ignored, so they show nothing.
func Render(output []byte, cols int) []string {
	s := &screen{cols: cols}
	for i := 0; i < len(output); {
		b := output[i]
		switch {
		case b == '\r':
			s.col = 0
			i++
		case b == '\n':
			s.row++
			i++
		case b == '\b':
			if s.col > 0 {
				s.col--
			}
			i++
		case b == '\t':
			s.col = min((s.col/8+1)*8, cols-1)
			i++
		case b == 0x1b:
			i += s.escape(output[i:])
		case b < 0x20 || b == 0x7f:
			i++ // other controls show nothing
		default:
			r, size := utf8.DecodeRune(output[i:])
			s.put(r)
			i += size
		}
	}
	return s.lines()
}

// width is the renderer's own count of a character's columns.
var width = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

type screen struct {
	cols, row, col int
	cells          [][]string // cells[row][col]; "" is blank, "\x00" the right half of a wide character
}

func (s *screen) line(row int) []string {
	for len(s.cells) <= row {
		s.cells = append(s.cells, make([]string, s.cols))
	}
	return s.cells[row]
}

func (s *screen) put(r rune) {
	w := width.RuneWidth(r)
	if w == 0 {
		// A combining mark joins the character before it.
		if l := s.line(s.row); s.col > 0 {
			c := s.col - 1
			if l[c] == "\x00" && c > 0 {
				c--
			}
			l[c] += string(r)
		}
		return
	}
	if s.col+w > s.cols {
		s.row, s.col = s.row+1, 0
	}
	l := s.line(s.row)
	l[s.col] = string(r)
	if w == 2 {
		l[s.col+1] = "\x00"
	}
	s.col += w
}

// escape reads one escape sequence at the start of b and returns its
// length.
func (s *screen) escape(b []byte) int {
	if len(b) < 2 {
		return len(b)
	}
	switch b[1] {
	case '[':
		end := 2
		for end < len(b) && (b[end] < 0x40 || b[end] > 0x7e) {
			end++
		}
		if end == len(b) {
			return len(b)
		}
		s.csi(string(b[2:end]), b[end])
		return end + 1
	case ']': // OSC, ended by BEL or ST
		for j := 2; j < len(b); j++ {
			if b[j] == 0x07 {
				return j + 1
			}
			if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
				return j + 2
			}
		}
		return len(b)
	}
	return 2
}

func (s *screen) csi(params string, final byte) {
	n := 1
	if p, err := strconv.Atoi(strings.TrimPrefix(params, "?")); err == nil {
		n = p
	}
	switch final {
	case 'A':
		s.row = max(0, s.row-n)
	case 'B':
		s.row += n
	case 'C':
		s.col = min(s.cols-1, s.col+n)
	case 'D':
		s.col = max(0, s.col-n)
	case 'G':
		s.col = min(s.cols-1, max(0, n-1))
	case 'K':
		l := s.line(s.row)
		from, to := s.col, s.cols
		switch params {
		case "1":
			from, to = 0, s.col+1
		case "2":
			from = 0
		}
		for c := from; c < to && c < s.cols; c++ {
			l[c] = ""
		}
	case 'J':
		if params == "2" || params == "3" {
			s.cells = nil
		}
	}
}

func (s *screen) lines() []string {
	var out []string
	for _, l := range s.cells {
		var b strings.Builder
		for _, c := range l {
			switch c {
			case "":
				b.WriteByte(' ')
			case "\x00":
			default:
				b.WriteString(c)
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// Column is the screen column at which sub starts in line, counted with
// the renderer's widths; -1 when line does not hold sub.
func Column(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	col := 0
	for _, r := range line[:i] {
		col += width.RuneWidth(r)
	}
	return col
}

// Width is the number of columns line takes on the screen.
func Width(line string) int { return Column(line+"\x00", "\x00") }
