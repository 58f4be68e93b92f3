// Command financesim serves the stand-in finance system of package
// financesim on a loopback address, for fundhub's demo and manual tests.
//
//	FINANCESIM_TOKEN=secret financesim -addr 127.0.0.1:18090 -seed 1
//
// The token, when set, must arrive as "Authorization: Bearer <token>". The
// command refuses to listen on anything but a loopback address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fundhub/tools/financesim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "financesim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("financesim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "listen address (loopback only)")
	seed := fs.Int64("seed", 1, "seed of the generated data")
	inds := fs.Int("indicators", financesim.DefaultIndicators, "budget indicators to make")
	vouchers := fs.Int("vouchers", financesim.DefaultVouchers, "payment vouchers to make")
	allocs := fs.String("allocations", "", "allocations CSV (default: the embedded "+
		"copy of demo/funds/allocations.csv)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}

	o := financesim.Options{Seed: *seed, Indicators: *inds, Vouchers: *vouchers,
		Token: os.Getenv("FINANCESIM_TOKEN")}
	if *allocs != "" {
		list, err := readAllocations(*allocs)
		if err != nil {
			return err
		}
		o.Allocations = list
	}

	return serve(*addr, o)
}

// checkLoopback refuses any listen address but a loopback one.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad -addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}

	return fmt.Errorf("refusing to listen on %q: use a loopback address such as "+
		"127.0.0.1:18090", addr)
}

func readAllocations(path string) ([]financesim.Allocation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening allocations: %w", err)
	}
	defer f.Close()

	return financesim.ParseAllocations(f)
}

// serve runs the server until SIGINT or SIGTERM.
func serve(addr string, o financesim.Options) error {
	start := time.Now()
	srv := &http.Server{Addr: addr, Handler: financesim.New(o),
		ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}

	auth := "no token: requests are not authenticated"
	if o.Token != "" {
		auth = "bearer token from FINANCESIM_TOKEN required"
	}
	log.Printf("financesim: serving http://%s%s and %s (seed %d, built in %v; %s)",
		ln.Addr(), financesim.IndicatorsPath, financesim.VouchersPath, o.Seed,
		time.Since(start).Round(time.Millisecond), auth)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()

	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}

	return nil
}
