package main

import (
	"fmt"
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
//
// A file that cannot be written is reported on stderr; the command runs
// all the same.
func startProfiling() (stop func()) {
	var stops []func()
	if path := os.Getenv("SMARTBCC_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "smartbcc: SMARTBCC_CPUPROFILE: %v\n", err)
		} else {
			stops = append(stops, func() {
				pprof.StopCPUProfile()
				f.Close()
			})
		}
	}
	if path := os.Getenv("SMARTBCC_TRACE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = trace.Start(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "smartbcc: SMARTBCC_TRACE: %v\n", err)
		} else {
			stops = append(stops, func() {
				trace.Stop()
				f.Close()
			})
		}
	}
	if path := os.Getenv("SMARTBCC_SQL_TIMINGS"); path != "" {
		sqlite.EnableStatementTimings()
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err == nil {
				err = sqlite.WriteStatementTimings(f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "smartbcc: SMARTBCC_SQL_TIMINGS: %v\n", err)
			}
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
