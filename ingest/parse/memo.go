package parse

import "sync"

// memo remembers results by key, for the parse workers to share. It is
// bounded: once it holds max entries it starts again empty, so that keys
// seen once (a boundary, a file name) cost memory only briefly and hostile
// mail cannot grow it. Values must not be changed once put: callers copy
// what they hand out.
type memo[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	max int
}

func newMemo[V any](max int) *memo[V] {
	return &memo[V]{m: map[string]V{}, max: max}
}

func (c *memo[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *memo[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = v
}

func (c *memo[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
