package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/web"
)

// Each role sees the controls it may use and no others; an admin manages
// accounts and reads the audit trail, filtered by person, on the staff
// page.
func TestBrowserStaffRolesAndAccounts(t *testing.T) {
	ctx := browser(t)
	e := newDataEnv(t, func(c *web.Config, e *dataEnv) {
		accounts := admin.NewAccounts(e.db)
		for _, role := range vrrec.Roles {
			if _, err := accounts.Add(context.Background(), string(role)+"@uni.example", "", role, staffPassword); err != nil {
				t.Fatal(err)
			}
		}
		c.Staff = accounts
	})
	// usable reports whether no data-min-role on sel or its ancestors hides
	// it from the signed-in role (a hidden attribute, which the page sets
	// for other reasons, aside).
	usable := func(sel string) bool {
		return eval[bool](t, ctx, `(() => { for (let n = document.querySelector('`+sel+`'); n; n = n.parentElement) {
			if (!n.dataset || !n.dataset.minRole) continue;
			const hidden = n.hidden; n.hidden = false; const shown = getComputedStyle(n).display !== 'none'; n.hidden = hidden;
			if (!shown) return false; } return true; })()`)
	}
	controls := []struct {
		page, sel string
		least     vrrec.Role
	}{
		{"/admin", `#nav a[data-view="dashboard"]`, vrrec.RoleViewer},
		{"/admin", `#nav a[data-view="config"]`, vrrec.RoleAdmin},
		{"/admin", `#nav a[data-view="staff"]`, vrrec.RoleAdmin},
		{"/admin", `#student-export`, vrrec.RoleAdmin},
		{"/admin", `#student-delete`, vrrec.RoleAdmin},
		{"/admin", `#label-save`, vrrec.RoleEditor},
		{"/admin/data", `#import-form`, vrrec.RoleEditor},
		{"/admin/data", `button[data-job="/api/admin/data/process/graph"]`, vrrec.RoleEditor},
		{"/admin/data", `#job-cancel`, vrrec.RoleEditor},
		{"/admin/data", `#review-discard`, vrrec.RoleEditor},
		{"/admin/data", `#review-publish`, vrrec.RoleAdmin},
		{"/admin/data", `#review-confirm`, vrrec.RoleAdmin},
		{"/admin/data", `#review-close`, vrrec.RoleViewer},
	}
	view := map[string]string{"/admin": "dashboard", "/admin/data": "data"}
	for _, role := range vrrec.Roles {
		email := string(role) + "@uni.example"
		if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
			chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
			chromedp.Click(chromedp.CSS("#login-button")), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="dashboard"]`))); err != nil {
			t.Fatalf("%s signs in: %v", role, err)
		}
		if who := eval[string](t, ctx, `document.getElementById('whoami').textContent`); who != string(role)+" ("+string(role)+")" {
			t.Errorf("signed in as %s, the page says %q", role, who)
		}
		page := ""
		for _, c := range controls {
			if c.page != page {
				page = c.page
				if err := chromedp.Do(ctx, chromedp.Navigate(e.base+page), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="`+view[page]+`"]`))); err != nil {
					t.Fatalf("%s opens %s: %v", role, page, err)
				}
				if notice := eval[string](t, ctx, `document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent`); notice != "" {
					t.Errorf("%s on %s sees the notice %q", role, page, notice)
				}
			}
			if got, want := usable(c.sel), role.AtLeast(c.least); got != want {
				t.Errorf("%s on %s: %s usable %v, want %v", role, c.page, c.sel, got, want)
			}
		}
		if role != vrrec.RoleAdmin {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`))); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The admin adds a colleague, disables them, and finds both in the
	// audit trail under their own name.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/admin/staff"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="staff"]`)),
		until(`document.querySelectorAll('#staff-list tbody tr').length === 4`),
		chromedp.SendKeys(chromedp.CSS(`#staff-add input[name=email]`), "grace@uni.example"),
		chromedp.SendKeys(chromedp.CSS(`#staff-add input[name=name]`), "Grace Hopper"),
		run(`document.querySelector('#staff-add select[name=role]').value = 'editor'`),
		chromedp.SendKeys(chromedp.CSS(`#staff-add input[name=password]`), "a long password for grace"),
		chromedp.Click(chromedp.CSS(`#staff-add button[type=submit]`)),
		until(`document.querySelector('#staff-list tr[data-email="grace@uni.example"]') !== null`),
		chromedp.Click(chromedp.CSS(`#staff-list tr[data-email="grace@uni.example"] button`)),
		until(`document.querySelector('#staff-list tr[data-email="grace@uni.example"]').textContent.includes('disabled')`),
	); err != nil {
		t.Fatal(err)
	}
	if msg := eval[string](t, ctx, `document.getElementById('staff-message').textContent`); !strings.Contains(msg, "grace@uni.example is disabled") {
		t.Errorf("after disabling: %q", msg)
	}
	if err := chromedp.Do(ctx, until(`document.querySelector('#audit tbody').textContent.includes('disable_staff')`),
		run(`document.getElementById('audit-action').value = 'add_staff'`), chromedp.Click(chromedp.CSS(`#audit-filter button[type=submit]`)),
		until(`document.querySelectorAll('#audit tbody tr').length === 1`)); err != nil {
		t.Fatal(err)
	}
	row := eval[string](t, ctx, `document.querySelector('#audit tbody tr').textContent`)
	csv := eval[string](t, ctx, `document.getElementById('audit-csv').getAttribute('href')`)
	if !strings.Contains(row, "admin@uni.example") || !strings.Contains(row, "grace@uni.example as editor") || csv != "/api/admin/audit?action=add_staff&format=csv" {
		t.Errorf("filtered audit row %q, CSV link %q", row, csv)
	}
	list, _ := admin.NewAccounts(e.db).Find(context.Background(), "grace@uni.example")
	if !list.Disabled || list.Role != vrrec.RoleEditor {
		t.Errorf("grace as stored: %+v", list)
	}
}
