package lmtp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// Metrics are the server's Prometheus metrics, on a registry of their own
// (never the global one). Labels come from closed sets: never an
// address, a token or a message id.
type Metrics struct {
	Registry *prometheus.Registry

	Deliveries       *prometheus.CounterVec // per recipient, by status and reason
	DeliveryDuration prometheus.Histogram   // end of DATA to the replies
	CommitBatch      prometheus.Histogram   // messages per commit
	CommitDuration   prometheus.Histogram
	StoreBusy        prometheus.Counter // commits that found the store busy
	StoreBusySeconds prometheus.Counter // time those commits waited
	StoreUnavailable prometheus.Counter
	Sessions         prometheus.Gauge
	SessionsRefused  prometheus.Counter // over MaxSessions
	DNSDuration      *prometheus.HistogramVec
	DNSErrors        *prometheus.CounterVec
}

// NewMetrics registers the metrics on reg (a new registry when nil),
// with the Go runtime and process collectors and smartbcc_build_info.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	latency := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		Registry: reg,
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smartbcc_lmtp_deliveries_total",
			Help: "Recipients answered, by outcome (stored, duplicate, quarantined, confirmed, rejected, temporary) and reason.",
		}, []string{"status", "reason"}),
		DeliveryDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smartbcc_lmtp_delivery_duration_seconds",
			Help:    "Time from the start of DATA to the replies, per delivery.",
			Buckets: latency,
		}),
		CommitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smartbcc_lmtp_commit_batch_messages",
			Help:    "Deliveries committed together in one store transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		CommitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smartbcc_lmtp_commit_duration_seconds",
			Help:    "Time of one group commit, fsync included.",
			Buckets: latency,
		}),
		StoreBusy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smartbcc_store_busy_total",
			Help: "Commits that found the store locked by another writer past the busy timeout.",
		}),
		StoreBusySeconds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smartbcc_store_busy_seconds_total",
			Help: "Time commits spent waiting for a busy store before giving up.",
		}),
		StoreUnavailable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smartbcc_store_unavailable_total",
			Help: "Commits that could not reach or write the store.",
		}),
		Sessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "smartbcc_lmtp_sessions",
			Help: "LMTP connections open.",
		}),
		SessionsRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smartbcc_lmtp_sessions_refused_total",
			Help: "Connections answered 421 because the session limit was reached.",
		}),
		DNSDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "smartbcc_dns_lookup_duration_seconds",
			Help:    "DNS lookups of sender authentication, by record type.",
			Buckets: latency,
		}, []string{"type"}),
		DNSErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smartbcc_dns_lookup_errors_total",
			Help: "DNS lookups that failed, by record type and class (not_found, temporary).",
		}, []string{"type", "class"}),
	}
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "smartbcc_build_info",
		Help:        "Always 1; the version is a label.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	reg.MustRegister(m.Deliveries, m.DeliveryDuration, m.CommitBatch, m.CommitDuration, m.StoreBusy,
		m.StoreBusySeconds, m.StoreUnavailable, m.Sessions, m.SessionsRefused, m.DNSDuration, m.DNSErrors, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Resolver wraps r so that every lookup is timed and its errors counted.
// Errors pass through unchanged: the authentication libraries classify
// them by their type.
func (m *Metrics) Resolver(r resolver.Resolver) resolver.Resolver {
	return &timedResolver{r: r, m: m}
}

type timedResolver struct {
	r resolver.Resolver
	m *Metrics
}

func (t *timedResolver) observe(kind string, start time.Time, err error) {
	t.m.DNSDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	if err != nil {
		class := "temporary"
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			class = "not_found"
		}
		t.m.DNSErrors.WithLabelValues(kind, class).Inc()
	}
}

func (t *timedResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	start := time.Now()
	v, err := t.r.LookupTXT(ctx, name)
	t.observe("TXT", start, err)
	return v, err
}

func (t *timedResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	start := time.Now()
	v, err := t.r.LookupMX(ctx, name)
	t.observe("MX", start, err)
	return v, err
}

func (t *timedResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	start := time.Now()
	v, err := t.r.LookupIPAddr(ctx, host)
	t.observe("A", start, err)
	return v, err
}

func (t *timedResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	start := time.Now()
	v, err := t.r.LookupAddr(ctx, addr)
	t.observe("PTR", start, err)
	return v, err
}

// Handler serves /metrics and /healthz. healthy is asked on every
// /healthz; an error makes it answer 503 with the error's text.
func (m *Metrics) Handler(healthy func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := healthy(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// Healthy reports whether the server takes deliveries: not shutting
// down, and the store answers a read.
func (s *Server) Healthy(ctx context.Context) error {
	if s.Closing() {
		return errors.New("shutting down")
	}
	return s.cfg.Ingester.Ping(ctx)
}
