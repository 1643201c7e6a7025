package forward

import "strings"

// line is one line of a body with its quoting depth ("> > x" is depth 2).
type line struct {
	raw   string
	depth int
}

var invisibles = strings.NewReplacer(
	"\r\n", "\n", "\r", "\n",
	"\ufeff", "", "\u200b", "", "\u200e", "", "\u200f", "",
	"\u00a0", " ",
)

func splitLines(text string) []line {
	text = invisibles.Replace(text)
	parts := strings.Split(text, "\n")
	ls := make([]line, len(parts))
	for i, p := range parts {
		ls[i] = line{raw: p, depth: quoteDepth(p)}
	}
	return ls
}

func quoteDepth(s string) int {
	d, i := 0, 0
	for {
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j < len(s) && s[j] == '>' {
			d++
			i = j + 1
			continue
		}
		return d
	}
}

// unquote removes n levels of "> " quoting.
func unquote(s string, n int) string {
	for k := 0; k < n; k++ {
		j := 0
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j >= len(s) || s[j] != '>' {
			return s
		}
		s = s[j+1:]
		if strings.HasPrefix(s, " ") {
			s = s[1:]
		}
	}
	return s
}

// text returns line i without its own quoting, trimmed.
func (l line) text() string { return strings.TrimSpace(unquote(l.raw, l.depth)) }

// body joins the lines from start on, unquoted by d levels, up to the last
// line quoted at least d deep: what follows is the forwarder's own text
// (a signature after a quoted forward). A less-quoted line between quoted
// ones is kept, as clients wrap quoted lines lazily. If the first line is
// quoted deeper than d (Missive quotes the body under an unquoted header
// block), that deeper level is unquoted instead. Indentation common to all
// lines is removed (Outlook indents quoted originals by four spaces).
func body(ls []line, start, d int) string {
	for k := start; k < len(ls); k++ {
		if strings.TrimSpace(ls[k].raw) != "" {
			if ls[k].depth > d {
				d = ls[k].depth
			}
			break
		}
	}
	end := len(ls)
	if d > 0 {
		for end > start && (ls[end-1].depth < d || strings.TrimSpace(unquote(ls[end-1].raw, d)) == "") {
			end--
		}
	}
	var out []string
	for j := start; j < end; j++ {
		out = append(out, strings.TrimRight(unquote(ls[j].raw, d), " \t"))
	}
	return strings.TrimSpace(dedent(out))
}

func dedent(lines []string) string {
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	if indent > 0 {
		for i, l := range lines {
			if len(l) >= indent {
				lines[i] = l[indent:]
			} else {
				lines[i] = strings.TrimLeft(l, " \t")
			}
		}
	}
	return strings.Join(lines, "\n")
}
