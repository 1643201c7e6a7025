// Package pgtest gives tests a real PostgreSQL server, never a mock (in
// the manner of pgx's and river's test setups):
//
//   - SMARTBCC_TEST_POSTGRES, a postgres:// URL, names a server to use
//     (.ci/run starts one and sets it);
//   - otherwise, when initdb and postgres are installed, a private
//     throw-away cluster is started on a loopback port in a temporary
//     directory, as an unprivileged user, for the test process;
//   - otherwise the test is skipped, or fails when CI=true: CI must
//     provide PostgreSQL.
//
// Each test gets its own schema (Fresh), dropped when it ends, in the
// database smartbcc_test. Tests that stop and start the server get a
// cluster of their own (NewCluster).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Env names the variable with the URL of the server tests use.
const Env = "SMARTBCC_TEST_POSTGRES"

// testDatabase is where test schemas are made.
const testDatabase = "smartbcc_test"

// need skips the test, or fails it under CI=true, when PostgreSQL cannot
// be had.
func need(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: .ci/run must provide PostgreSQL through %s)", msg, Env)
	}
	t.Skip(msg)
}

var shared struct {
	once sync.Once
	url  string // the server's URL, database smartbcc_test
	err  error
}

// URL returns the URL of the test database on the test server, starting a
// private cluster when SMARTBCC_TEST_POSTGRES is not set.
func URL(t testing.TB) string {
	t.Helper()
	u, err := sharedURL()
	if errors.Is(err, errNoPostgres) {
		need(t, "no PostgreSQL: %v; set %s to a postgres:// URL", err, Env)
	}
	if err != nil {
		t.Fatalf("PostgreSQL for tests: %v", err)
	}
	return u
}

func sharedURL() (string, error) {
	shared.once.Do(func() {
		base := os.Getenv(Env)
		if base == "" {
			var c *Cluster
			c, shared.err = startCluster(nil)
			if shared.err != nil {
				return
			}
			base = c.URL()
		}
		shared.url, shared.err = ensureDatabase(base, testDatabase)
	})
	return shared.url, shared.err
}

// Fresh returns the URL of a new, empty schema in the test database; the
// schema is dropped when the test ends. The store's tables go into it
// through search_path, which pgx sends as a run-time parameter.
func Fresh(t testing.TB) string {
	t.Helper()
	return FreshIn(t, URL(t))
}

// FreshIn is Fresh on the server and database of base.
func FreshIn(t testing.TB, base string) string {
	t.Helper()
	dsn, drop, err := newSchema(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return dsn
}

// FreshSchema is Fresh for callers without a testing.TB (testscript's
// Setup): the URL of a new schema and the function that drops it.
func FreshSchema() (string, func(), error) {
	base, err := sharedURL()
	if err != nil {
		return "", nil, err
	}
	return newSchema(base)
}

func newSchema(base string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redact(base), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return // the server is gone (a test stopped it): nothing to drop
		}
		defer conn.Close(context.Background())
		conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`)
	}
	return withParam(base, "search_path", schema), drop, nil
}

// withParam returns the URL u with the query parameter k set to v.
func withParam(u, k, v string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// ensureDatabase creates the database name on the server of base unless
// it exists, and returns base with name as its database.
func ensureDatabase(base, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(base), err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		_, err := conn.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`)
		var pe *pgconn.PgError
		// Another test process may have made it meanwhile.
		if err != nil && !(errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505")) {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	p, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	p.Path = "/" + name
	return p.String(), nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(URL)"
	}
	return p.Redacted()
}

// errNoPostgres: PostgreSQL's programs are not installed.
var errNoPostgres = errors.New("PostgreSQL is not installed")

// Cluster is a private PostgreSQL server in a temporary directory,
// listening on a loopback port, run as an unprivileged user.
type Cluster struct {
	bin  string // directory of initdb and postgres
	dir  string // cluster directory (data, log)
	port int
	cred *syscall.Credential // nil when not root

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// NewCluster starts a cluster of the test's own, stopped and removed when
// the test ends: for tests that restart the server.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := startCluster(t)
	if errors.Is(err, errNoPostgres) {
		need(t, "no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// URL is the cluster's URL, database postgres.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// findBin finds the directory of initdb and postgres: PATH, or Debian's
// /usr/lib/postgresql/<version>/bin (the newest).
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: no initdb on PATH or in /usr/lib/postgresql/*/bin", errNoPostgres)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// startCluster makes and starts a cluster. With t, it is stopped and
// removed when t ends; without, it lives as long as the test process.
func startCluster(t testing.TB) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", fmt.Sprintf("smartbcc-pgtest-%d-", os.Getpid()))
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		c.cred, err = unprivileged()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if t != nil {
		t.Cleanup(c.remove)
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		if t == nil {
			c.remove()
		}
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.Start(); err != nil {
		if t == nil {
			c.remove()
		}
		return nil, err
	}
	return c, nil
}

// unprivileged is the user a cluster runs as when the tests run as root:
// postgres (Debian's package makes it), else nobody.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and there is no postgres or nobody user to run PostgreSQL as")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// removeStale removes the directories of clusters whose test process died
// without removing them.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "smartbcc-pgtest-*-*"))
	for _, d := range dirs {
		parts := strings.Split(filepath.Base(d), "-")
		if len(parts) < 4 {
			continue
		}
		pid, err := strconv.Atoi(parts[2])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(d)
		}
	}
}

// spawner starts processes from one locked OS thread that never exits, so
// that a child's parent-death signal fires when the test process dies,
// not when some runtime thread does.
var spawner = sync.OnceValue(func() chan func() {
	ch := make(chan func())
	go func() {
		runtime.LockOSThread()
		for f := range ch {
			f()
		}
	}()
	return ch
})

// Start starts the server and waits until it accepts connections. The
// first start picks a free loopback port, which restarts keep.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return errors.New("cluster already running")
	}
	if c.port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		c.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	logf, err := os.OpenFile(filepath.Join(c.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), "-D", c.data(), "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "full_page_writes=off", // throw-away: speed over durability
		"-c", "max_connections=200", "-c", "shared_buffers=64MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	// SIGQUIT: the server stops at once when the test process dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	started := make(chan error)
	spawner() <- func() { started <- cmd.Start() }
	if err := <-started; err != nil {
		logf.Close()
		return fmt.Errorf("start postgres: %w", err)
	}
	logf.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	c.cmd, c.done = cmd, done

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.URL())
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
			c.cmd = nil
			return fmt.Errorf("postgres exited at start: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 60s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server: "fast" shutdown (SIGINT), which ends open
// connections, as an administrator's restart or a failover does.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return nil
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	c.cmd = nil
	return nil
}

// Restart stops and starts the server.
func (c *Cluster) Restart() error {
	if err := c.Stop(); err != nil {
		return err
	}
	return c.Start()
}

func (c *Cluster) remove() {
	c.Stop()
	os.RemoveAll(c.dir)
}

// SilentServer listens on a loopback port, accepts every connection and
// never answers: a PostgreSQL host that takes the TCP connection but is
// hung, or a proxy in front of a dead one. It returns the address
// (host:port); the listener and the connections it holds close when the
// test ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}
