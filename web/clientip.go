package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the one place that decides who the client is: the TCP peer,
// unless the peer is a trusted proxy; then the right-most X-Forwarded-For
// entry that is not itself a trusted proxy. Entries a client wrote to the
// left of what its proxies appended are never believed, so a client cannot
// pick its own rate-limit budget.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	peer := parseAddr(r.RemoteAddr)
	if !s.trusted(peer) {
		return peer
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := parseHop(hops[i])
		if err != nil {
			return peer // a proxy we trust wrote garbage: count the proxy
		}
		ip = ip.Unmap()
		if !s.trusted(ip) {
			return ip
		}
		peer = ip
	}
	return peer
}

func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, or an address with
// a port as some proxies write it ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseHop(h string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr(), nil
	}
	return netip.ParseAddr(strings.Trim(h, "[]"))
}

// forwardedFor flattens X-Forwarded-For headers into hops, left to right.
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}

func parseAddr(hostport string) netip.Addr {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return ip.Unmap()
}

// storedIP is a client address as it may be stored or logged: its /24
// network for IPv4, its /48 for IPv6, never the whole address
// (docs/privacy.md).
func storedIP(ip netip.Addr) string {
	bits := 24
	if ip.Is6() {
		bits = 48
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}
