package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"github.com/smartbcc/smartbcc/store/sqlite"
)

// Measurement aids for .ci/bench-import and for whoever looks into where
// an import's time goes; nothing a user needs. Both are off unless set:
//
//	SMARTBCC_CPUPROFILE=FILE   a Go CPU profile of the whole command (go tool pprof)
//	SMARTBCC_SQL_TIMINGS=FILE  SQLite time by statement (see sqlite.StatementTimings)
//	SMARTBCC_TRACE=FILE        a Go execution trace, for where goroutines wait
//	                           (go tool trace -pprof=sync|syscall|sched FILE)
//	SMARTBCC_ALLOCPROFILE=FILE what the command allocated, by call site
//	                           (go tool pprof -sample_index=alloc_space FILE):
//	                           the garbage collector's work follows it
//
// A file that cannot be written is reported on stderr; the command runs
// all the same.
func startProfiling() (stop func()) {
	var stops []func()
	if stop := recordTo("SMARTBCC_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile); stop != nil {
		stops = append(stops, stop)
	}
	if stop := recordTo("SMARTBCC_TRACE", trace.Start, trace.Stop); stop != nil {
		stops = append(stops, stop)
	}
	if os.Getenv("SMARTBCC_SQL_TIMINGS") != "" {
		sqlite.EnableStatementTimings()
		stops = append(stops, writeAtEnd("SMARTBCC_SQL_TIMINGS", sqlite.WriteStatementTimings))
	}
	if os.Getenv("SMARTBCC_ALLOCPROFILE") != "" {
		stops = append(stops, writeAtEnd("SMARTBCC_ALLOCPROFILE", func(w io.Writer) error {
			return pprof.Lookup("allocs").WriteTo(w, 0)
		}))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// recordTo starts a recording (start) into the file the environment
// variable env names, and returns what stops it and closes the file; nil
// when env is not set or the recording could not start.
func recordTo(env string, start func(io.Writer) error, stop func()) func() {
	path := os.Getenv(env)
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err == nil {
		if err = start(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "smartbcc: %s: %v\n", env, err)
		return nil
	}
	return func() {
		stop()
		f.Close()
	}
}

// writeAtEnd returns what writes a report (write) into the file the
// environment variable env names, at the end of the command.
func writeAtEnd(env string, write func(io.Writer) error) func() {
	return func() {
		f, err := os.Create(os.Getenv(env))
		if err == nil {
			err = write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "smartbcc: %s: %v\n", env, err)
		}
	}
}
