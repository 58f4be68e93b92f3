package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// checkLocal refuses a connection string whose host is not a unix socket
// folder or a loopback address. lib/pq falls back on PGHOST, then
// localhost, when the string names no host.
func checkLocal(dsn string) error {
	hosts, err := dsnHosts(dsn)
	if err != nil {
		return err
	}
	if len(hosts) == 0 {
		hosts = []string{os.Getenv("PGHOST")}
	}

	for _, h := range hosts {
		if !localHost(h) {
			return fmt.Errorf("refusing host %q: reservesim seeds only local databases "+
				"(a unix socket folder or a loopback address)", h)
		}
	}

	return nil
}

// dsnHosts returns the hosts a URL or key=value connection string names.
func dsnHosts(dsn string) ([]string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("parsing the connection URL: %w", err)
		}
		hosts := u.Query()["host"]
		if u.Hostname() != "" {
			hosts = append(hosts, u.Hostname())
		}
		return hosts, nil
	}

	var hosts []string
	for _, field := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(field, "host="); ok {
			hosts = append(hosts, strings.Trim(v, "'"))
		}
	}

	return hosts, nil
}

func localHost(h string) bool {
	for _, one := range strings.Split(h, ",") {
		one = strings.Trim(strings.TrimSpace(one), "[]")
		ip := net.ParseIP(one)
		ok := one == "" || one == "localhost" || strings.HasPrefix(one, "/") ||
			(ip != nil && ip.IsLoopback())
		if !ok {
			return false
		}
	}

	return true
}
