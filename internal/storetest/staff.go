package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
)

// Staff checks a vrrec.StaffStore.
func Staff(t *testing.T, open func(t *testing.T) vrrec.StaffStore) {
	ctx := context.Background()
	at := func(sec int) time.Time { return time.Date(2026, 12, 1, 9, 0, sec, 123456789, time.UTC) }
	ada := vrrec.StaffMember{ID: "s1", Email: "ada@uni.example", Name: "Ada Lovelace", Role: vrrec.RoleEditor,
		CreatedAt: at(1), PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA"}
	t.Run("add, read by id and email, list", func(t *testing.T) {
		s := open(t)
		if err := s.AddStaff(ctx, ada); err != nil {
			t.Fatal(err)
		}
		grace := vrrec.StaffMember{ID: "s2", Email: "grace@uni.example", Name: "Grace Hopper", Role: vrrec.RoleViewer, CreatedAt: at(2), SSO: true}
		if err := s.AddStaff(ctx, grace); err != nil {
			t.Fatal(err)
		}
		got, err := s.StaffMember(ctx, "s1")
		if err != nil || got.Email != ada.Email || got.Name != ada.Name || got.Role != vrrec.RoleEditor || got.PasswordHash != ada.PasswordHash ||
			!got.CreatedAt.Truncate(time.Millisecond).Equal(ada.CreatedAt.Truncate(time.Millisecond)) || got.Disabled || got.SSO || !got.LastSignIn.IsZero() || !got.SessionsNotBefore.IsZero() {
			t.Errorf("by id: %+v, %v", got, err)
		}
		if got, err := s.StaffByEmail(ctx, "grace@uni.example"); err != nil || got.ID != "s2" || !got.SSO || got.PasswordHash != "" {
			t.Errorf("by email: %+v, %v", got, err)
		}
		all, err := s.StaffMembers(ctx)
		if err != nil || len(all) != 2 || all[0].Email != "ada@uni.example" || all[1].Email != "grace@uni.example" {
			t.Errorf("list: %+v, %v", all, err)
		}
		if _, err := s.StaffMember(ctx, "nobody"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("unknown id: %v, want ENOTFOUND", err)
		}
		if _, err := s.StaffByEmail(ctx, "nobody@uni.example"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("unknown email: %v, want ENOTFOUND", err)
		}
		if empty, err := open(t).StaffMembers(ctx); err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("an empty store lists %#v, %v; want an empty list", empty, err)
		}
	})
	t.Run("an email or an id is taken once", func(t *testing.T) {
		s := open(t)
		if err := s.AddStaff(ctx, ada); err != nil {
			t.Fatal(err)
		}
		again := ada
		again.ID = "s9"
		if err := s.AddStaff(ctx, again); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
			t.Errorf("a second account for the same email: %v, want ECONFLICT", err)
		}
		sameID := ada
		sameID.Email = "other@uni.example"
		if err := s.AddStaff(ctx, sameID); vrrec.ErrorCode(err) != vrrec.ECONFLICT {
			t.Errorf("a second account with the same id: %v, want ECONFLICT", err)
		}
		// The refused account left no claim on its email behind.
		sameID.ID = "s3"
		if err := s.AddStaff(ctx, sameID); err != nil {
			t.Errorf("adding other@ after the refused attempt: %v", err)
		}
		if all, _ := s.StaffMembers(ctx); len(all) != 2 {
			t.Errorf("%d accounts, want 2", len(all))
		}
	})
	t.Run("update changes only what is set", func(t *testing.T) {
		s := open(t)
		s.AddStaff(ctx, ada)
		admin, yes, hash := vrrec.RoleAdmin, true, "$argon2id$new"
		signIn, notBefore := at(30), at(40)
		got, err := s.UpdateStaff(ctx, "s1", vrrec.StaffUpdate{Role: &admin, LastSignIn: &signIn})
		if err != nil || got.Role != vrrec.RoleAdmin || !got.LastSignIn.Equal(signIn) || got.Disabled || got.PasswordHash != ada.PasswordHash || got.Name != ada.Name {
			t.Fatalf("role and sign-in: %+v, %v", got, err)
		}
		name := "Ada King"
		got, err = s.UpdateStaff(ctx, "s1", vrrec.StaffUpdate{Disabled: &yes, PasswordHash: &hash, SessionsNotBefore: &notBefore, Name: &name})
		if err != nil || !got.Disabled || got.PasswordHash != hash || !got.SessionsNotBefore.Equal(notBefore) || got.Name != name ||
			got.Role != vrrec.RoleAdmin || !got.LastSignIn.Equal(signIn) {
			t.Fatalf("disable, password, sessions: %+v, %v", got, err)
		}
		if again, _ := s.StaffMember(ctx, "s1"); again != got {
			t.Errorf("read back %+v, want %+v", again, got)
		}
		if _, err := s.UpdateStaff(ctx, "nobody", vrrec.StaffUpdate{Role: &admin}); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("updating an unknown account: %v, want ENOTFOUND", err)
		}
		if _, err := s.UpdateStaff(ctx, "nobody", vrrec.StaffUpdate{LastSignIn: &signIn}); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
			t.Errorf("a sign-in of an unknown account: %v, want ENOTFOUND", err)
		}
	})
}
