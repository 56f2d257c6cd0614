package admin_test

import (
	"context"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "short": "*****", "12345678": "********", "sk-or-v1-abcdef123456": "sk-o*************3456"} {
		if got := admin.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"OPENROUTER_API_KEY": "sk-env-0123456789", "OPENROUTER_MODEL": "model-from-env"}
	s := admin.Settings{Store: store(t), Env: func(k string) string { return env[k] }}
	list, err := s.List(ctx)
	if err != nil || len(list) != len(admin.Managed) {
		t.Fatalf("list: %v %v", list, err)
	}
	if list[0].Value != "sk-e*********6789" || list[0].Source != "environment" || !list[0].Secret {
		t.Errorf("masked key from env: %+v", list[0])
	}
	if list[1].Value != "model-from-env" || list[1].Secret {
		t.Errorf("model: %+v", list[1])
	}
	changed, err := s.Update(ctx, map[string]string{"OPENROUTER_API_KEY": "sk-e*********6789", "OPENROUTER_MODEL": "other/model", "TAVILY_API_KEY": "tvly-123456789"})
	if err != nil || len(changed) != 2 || changed[0] != "OPENROUTER_MODEL" || changed[1] != "TAVILY_API_KEY" {
		t.Errorf("changed %v, %v; the masked key must be ignored", changed, err)
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_MODEL"); v != "other/model" {
		t.Errorf("the database must win over the environment: %q", v)
	}
	if v, _ := s.Effective(ctx, "OPENROUTER_API_KEY"); v != "sk-env-0123456789" {
		t.Errorf("a masked value overwrote the key: %q", v)
	}
	s.Update(ctx, map[string]string{"OPENROUTER_MODEL": ""})
	if v, _ := s.Effective(ctx, "OPENROUTER_MODEL"); v != "model-from-env" {
		t.Errorf("clearing must fall back to the environment: %q", v)
	}
	// A short secret masks to fewer than five stars; sent back, it is
	// still recognised as masked.
	s.Update(ctx, map[string]string{"TAVILY_API_KEY": "tvly"})
	if changed, _ := s.Update(ctx, map[string]string{"TAVILY_API_KEY": "****"}); len(changed) != 0 {
		t.Errorf("the mask of a short secret was stored: %v", changed)
	}
	if v, _ := s.Effective(ctx, "TAVILY_API_KEY"); v != "tvly" {
		t.Errorf("short secret after its mask came back: %q", v)
	}
	if _, err := s.Update(ctx, map[string]string{"SECRET_KEY": "x"}); vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("an unmanaged key: %v", err)
	}
}
