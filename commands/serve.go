package commands

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/lmtp"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

type serveOptions struct {
	listen         string
	socketMode     string
	socketGroup    string
	metrics        string
	bounce         bool
	auth           string
	clientFrom     string
	hostname       string
	logFile        string
	maxSize        int64
	maxSessions    int
	maxRecipients  int
	commandTimeout time.Duration
	dataTimeout    time.Duration
	sessionTimeout time.Duration
	timeout        time.Duration
	grace          time.Duration
	memoryLimit    int64

	// allowRoot, for tests (which run as root here), skips the refusal.
	allowRoot bool
	// ready, for tests, gets the LMTP and metrics addresses once both
	// listen.
	ready func(lmtpAddr, metricsAddr string)
}

func newServeCmd(app *App) *cobra.Command {
	var opts serveOptions
	cmd := &cobra.Command{
		Use:   "serve --lmtp unix:PATH|tcp:HOST:PORT",
		Short: "Run the LMTP delivery server Postfix delivers the Bcc domain to",
		Long: `Runs an LMTP server (RFC 2033) for Postfix's lmtp transport: the mode for busy
companies. Each delivery is decided exactly as "smartbcc ingest" decides a
pipe delivery; deliveries that arrive together are stored in one transaction
(one fsync), and each recipient is answered only after its message is stored.

Replies: 250 for stored, duplicate, held or refused mail (the refusal is
recorded; see "smartbcc rejected"); 451 for anything temporary (store busy,
DNS, timeout), which Postfix retries; 554 5.6.0 for input that is not a
message; with --bounce also 550 5.1.1 (unknown Bcc address) and 550 5.7.1
(refused sender). One log line per recipient goes to stderr or --log.

The SMTP client address and HELO name that SPF needs are read from the
topmost Received: header, the one your Postfix adds (--client-from); only
Postfix may be able to connect to the socket.

SIGTERM and SIGINT stop accepting, finish the deliveries in progress (up to
--grace) and exit; SIGHUP reopens --log.`,
		Example: `  # Behind Postfix, socket in Postfix's private directory (see postfix-config --lmtp):
  smartbcc --db /var/lib/smartbcc/smartbcc.db serve --lmtp unix:/var/spool/postfix/private/smartbcc \
      --socket-group postfix --metrics 127.0.0.1:9125

  # On a TCP port on loopback, with bounces for unknown addresses:
  smartbcc serve --lmtp tcp:127.0.0.1:2424 --bounce

  # Under systemd socket activation (contrib/smartbcc.socket):
  smartbcc serve --lmtp systemd`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), app, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.listen, "lmtp", "", "where to listen: unix:PATH, tcp:HOST:PORT, or systemd (socket activation)")
	f.StringVar(&opts.socketMode, "socket-mode", "0660", "permissions of a unix: socket")
	f.StringVar(&opts.socketGroup, "socket-group", "", "group of a unix: socket (the server's user must be in it)")
	f.StringVar(&opts.metrics, "metrics", "", "serve Prometheus /metrics and /healthz on this `HOST:PORT` (keep it on loopback)")
	f.BoolVar(&opts.bounce, "bounce", false, "answer 550 for unknown Bcc addresses and refused senders so Postfix bounces")
	f.StringVar(&opts.auth, "auth", "verify", "verify, trust-authres=AUTHSERV-ID, or off")
	f.StringVar(&opts.clientFrom, "client-from", "received", "where the SMTP client address and HELO (SPF) come from: received (the topmost Received: header) or none")
	f.StringVar(&opts.hostname, "hostname", "", "name in the greeting (default: this host's name)")
	f.StringVar(&opts.logFile, "log", "", "append the delivery log to this `file` (reopened on SIGHUP); default stderr")
	f.Int64Var(&opts.maxSize, "max-size", ingest.DefaultMaxSize, "largest message in bytes, announced as SIZE; at least Postfix's message_size_limit plus 16 KB for the headers Postfix adds (postfix-config --lmtp prints both)")
	f.IntVar(&opts.maxSessions, "max-sessions", lmtp.DefaultMaxSessions, "connections at once; more are answered 421 (keep Postfix's concurrency below it)")
	f.IntVar(&opts.maxRecipients, "max-recipients", lmtp.DefaultMaxRecipients, "recipients per message (Postfix's lmtp recipient limit must not be larger)")
	f.DurationVar(&opts.commandTimeout, "command-timeout", lmtp.DefaultCommandTimeout, "how long to wait for a command")
	f.DurationVar(&opts.dataTimeout, "data-timeout", lmtp.DefaultDataTimeout, "how long one message may take to arrive")
	f.DurationVar(&opts.sessionTimeout, "session-timeout", lmtp.DefaultSessionTimeout, "longest a connection may stay open")
	f.DurationVar(&opts.timeout, "timeout", lmtp.DefaultDeliveryTimeout, "deciding and storing one delivery; past it the answer is 451 (Postfix retries)")
	f.DurationVar(&opts.grace, "grace", 30*time.Second, "on SIGTERM, how long deliveries in progress may take before connections are cut")
	f.Int64Var(&opts.memoryLimit, "memory-limit", 128<<20, "soft limit of the Go heap in bytes (GOMEMLIMIT wins when set); 0 for none")
	return cmd
}

func runServe(ctx context.Context, app *App, opts serveOptions) error {
	mode, err := ingest.ParseAuthMode(opts.auth)
	if err != nil {
		return err
	}
	switch opts.clientFrom {
	case "received", "none":
	default:
		return usageErrorf("invalid --client-from %q: want received or none", opts.clientFrom)
	}
	if opts.listen == "" {
		return usageErrorf("--lmtp is required (unix:PATH, tcp:HOST:PORT or systemd)")
	}
	if os.Geteuid() == 0 && !opts.allowRoot {
		return store.Errorf(store.EInvalid, "refusing to run as root: run serve as an unprivileged user (see contrib/smartbcc.service)")
	}
	if opts.memoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(opts.memoryLimit)
	}

	var log *lmtp.Maillog
	if opts.logFile != "" {
		if log, err = lmtp.OpenMaillog(opts.logFile); err != nil {
			return store.Errorf(store.EInvalid, "cannot open --log: %v", err)
		}
		defer log.Close()
	} else {
		log = lmtp.NewMaillog(app.IO.ErrOut)
	}

	// Every delivery is durable before it is answered. Checkpoints run
	// beside the group commits, never inside one (where every delivery
	// of the group and those queued behind it would wait for the copy).
	app.StoreOptions.Synchronous = "FULL"
	app.StoreOptions.BackgroundCheckpoints = true
	app.StoreOptions.FTSMerge = true
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	st, err := waitForStore(ctx, app, log, sigs)
	if err != nil || st == nil {
		return err
	}
	metrics := lmtp.NewMetrics(nil)
	var checker ingest.Authenticator
	if mode.Kind == "verify" {
		r, err := app.Resolver()
		if err != nil {
			return err
		}
		checker = &auth.Checker{Resolver: metrics.Resolver(r), Timeout: 20 * time.Second}
	}
	in := ingest.New(ingest.Options{Store: st, Auth: checker, AuthMode: mode, MaxSize: opts.maxSize,
		Source: store.SourcePipe, Now: app.Now, DirectoryTTL: time.Second})
	if err := in.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}

	hostname := opts.hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	srv := lmtp.New(lmtp.Config{
		Ingester: in, Bounce: opts.bounce, Hostname: hostname, MaxSize: opts.maxSize,
		MaxRecipients: opts.maxRecipients, MaxSessions: opts.maxSessions,
		CommandTimeout: opts.commandTimeout, DataTimeout: opts.dataTimeout, SessionTimeout: opts.sessionTimeout,
		DeliveryTimeout: opts.timeout, ClientFromReceived: opts.clientFrom == "received",
		Log: log, Metrics: metrics, ErrorLog: log,
	})

	l, cleanup, err := listenLMTP(opts)
	if err != nil {
		return err
	}
	defer cleanup()

	var httpSrv *http.Server
	metricsAddr := ""
	if opts.metrics != "" {
		ml, err := net.Listen("tcp", opts.metrics)
		if err != nil {
			l.Close()
			return store.Errorf(store.EInvalid, "cannot listen on --metrics %s: %v", opts.metrics, err)
		}
		metricsAddr = ml.Addr().String()
		httpSrv = &http.Server{Handler: metrics.Handler(srv.Healthy), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = httpSrv.Serve(ml) }()
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	log.Printf("listening on %s (lmtp), auth %s, bounce %v", l.Addr(), mode, opts.bounce)
	if opts.ready != nil {
		opts.ready(l.Addr().String(), metricsAddr)
	}

	var serveErr error
wait:
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reopenLog(log)
				continue
			}
			log.Printf("%s: no new connections; finishing the deliveries in progress", sig)
			break wait
		case <-ctx.Done():
			break wait
		case serveErr = <-served:
			break wait
		}
	}
	grace, cancel := context.WithTimeout(context.Background(), opts.grace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil {
		log.Printf("grace period over: connections cut (Postfix delivers those again)")
	}
	if httpSrv != nil {
		_ = httpSrv.Close()
	}
	log.Printf("stopped")
	if serveErr != nil {
		return store.Errorf(store.EUnavailable, "lmtp: %v", serveErr)
	}
	return nil
}

// reopenLog opens the log file again on SIGHUP, after logrotate moved it.
func reopenLog(log *lmtp.Maillog) {
	if err := log.Reopen(); err != nil {
		log.Printf("cannot reopen the log: %v", err)
	}
}

// waitForStore opens the store. A PostgreSQL server that cannot be
// reached yet (its host boots after the mail host, a restart, a failover)
// is waited for, as a delivery is answered 451 while it is away: serve
// exiting instead was restarted by systemd every RestartSec and given up
// for good after five starts in ten seconds, and the mail waited in
// Postfix's queue for an administrator though the database was back.
// What no waiting mends fails at once: a SQLite store, and a database
// without smartbcc's tables ("no store at"). It returns nil, nil when
// SIGTERM or SIGINT came first.
func waitForStore(ctx context.Context, app *App, log *lmtp.Maillog, sigs <-chan os.Signal) (store.Store, error) {
	wait := time.Second
	for {
		st, err := app.Store(ctx)
		if err == nil || backend.Kind(app.DBPath) != backend.Postgres || !store.IsTemporary(err) ||
			errors.Is(err, store.ErrNoStore) {
			return st, err
		}
		log.Printf("store unavailable, trying again in %s: %v", wait, err)
		timer := time.NewTimer(wait)
	sleep:
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					reopenLog(log)
					continue
				}
				timer.Stop()
				log.Printf("%s: stopped before the store could be opened", sig)
				return nil, nil
			case <-ctx.Done():
				timer.Stop()
				return nil, ctx.Err()
			case <-timer.C:
				break sleep
			}
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// listenLMTP opens the --lmtp listener: a unix socket (a stale socket file
// is replaced, never another kind of file), a TCP address, or the socket
// systemd passed (LISTEN_FDS).
func listenLMTP(opts serveOptions) (net.Listener, func(), error) {
	kind, addr, _ := strings.Cut(opts.listen, ":")
	switch kind {
	case "systemd":
		l, err := systemdListener()
		return l, func() {}, err
	case "tcp":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, store.Errorf(store.EInvalid, "cannot listen on %s: %v", opts.listen, err)
		}
		return l, func() { l.Close() }, nil
	case "unix":
		if addr == "" {
			return nil, nil, usageErrorf("--lmtp unix: needs a path")
		}
		mode, err := strconv.ParseUint(opts.socketMode, 8, 32)
		if err != nil || mode > 0o777 {
			return nil, nil, usageErrorf("invalid --socket-mode %q", opts.socketMode)
		}
		if fi, err := os.Lstat(addr); err == nil {
			if fi.Mode()&os.ModeSocket == 0 {
				return nil, nil, store.Errorf(store.EInvalid, "%s exists and is not a socket", addr)
			}
			if c, err := net.DialTimeout("unix", addr, time.Second); err == nil {
				c.Close()
				return nil, nil, store.Errorf(store.EInvalid, "%s is in use by another server", addr)
			}
			if err := os.Remove(addr); err != nil {
				return nil, nil, store.Errorf(store.EInvalid, "cannot replace the stale socket %s: %v", addr, err)
			}
		}
		l, err := net.Listen("unix", addr)
		if err != nil {
			return nil, nil, store.Errorf(store.EInvalid, "cannot listen on %s: %v", opts.listen, err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(true)
		if err := os.Chmod(addr, os.FileMode(mode)); err != nil {
			l.Close()
			return nil, nil, store.Errorf(store.EInvalid, "chmod %s: %v", addr, err)
		}
		if opts.socketGroup != "" {
			g, err := user.LookupGroup(opts.socketGroup)
			var gid int
			if err == nil {
				gid, err = strconv.Atoi(g.Gid)
			}
			if err == nil {
				err = os.Chown(addr, -1, gid)
			}
			if err != nil {
				l.Close()
				return nil, nil, store.Errorf(store.EInvalid, "--socket-group %s: %v", opts.socketGroup, err)
			}
		}
		return l, func() { l.Close() }, nil
	}
	return nil, nil, usageErrorf("invalid --lmtp %q: want unix:PATH, tcp:HOST:PORT or systemd", opts.listen)
}

// systemdListener takes the one socket systemd passes (sd_listen_fds(3):
// fd 3, LISTEN_FDS=1, LISTEN_PID our pid).
func systemdListener() (net.Listener, error) {
	pid, _ := strconv.Atoi(os.Getenv("LISTEN_PID"))
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if pid != os.Getpid() || n < 1 {
		return nil, store.Errorf(store.EInvalid, "--lmtp systemd: no socket passed (LISTEN_PID/LISTEN_FDS; see contrib/smartbcc.socket)")
	}
	if n > 1 {
		return nil, store.Errorf(store.EInvalid, "--lmtp systemd: %d sockets passed, want one", n)
	}
	syscall.CloseOnExec(3)
	f := os.NewFile(3, "systemd-socket")
	defer f.Close()
	l, err := net.FileListener(f)
	if err != nil {
		return nil, store.Errorf(store.EInvalid, "--lmtp systemd: %v", err)
	}
	return l, nil
}
