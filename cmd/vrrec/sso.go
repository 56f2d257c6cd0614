package main

import (
	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/oidc"
	"github.com/vrrec/vrrec/web"
)

// newSSO is staff single sign-on (OIDC_*), or nil when OIDC_ISSUER is unset.
func newSSO(cfg config.OIDC, secret []byte) (web.SSO, error) {
	if cfg.Issuer == "" {
		return nil, nil
	}
	roles := map[string]vrrec.Role{}
	for group, r := range cfg.RoleMap {
		roles[group] = vrrec.Role(r)
	}
	p, err := oidc.New(oidc.Config{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		AllowedDomains: cfg.AllowedDomains, AllowedEmails: cfg.AllowedEmails, RoleClaim: cfg.RoleClaim, RoleMap: roles,
		DefaultRole: vrrec.Role(cfg.DefaultRole)}, secret)
	if err != nil {
		return nil, err
	}
	return p, nil
}
