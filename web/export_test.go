package web

import "github.com/vrrec/vrrec"

// AdminRouteRoles is every /api/admin route pattern with its least role,
// for tests.
func AdminRouteRoles() map[string]vrrec.Role {
	out := map[string]vrrec.Role{}
	for _, rt := range (&Server{}).adminRoutes() {
		out[rt.pattern] = rt.role
	}
	return out
}

// Patterns is every route pattern the server registers, public and staff.
func (s *Server) Patterns() []string { return s.patterns }
