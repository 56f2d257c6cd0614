package vrrec_test

import (
	"encoding/json"
	"testing"

	"github.com/vrrec/vrrec"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		text    string
		want    vrrec.Price
		show    string
		invalid bool
	}{
		{"$9.99", vrrec.Price{Kind: vrrec.PriceOneTime, Amount: 9.99, Currency: "USD"}, "$9.99", false},
		{" $ 24.99 ", vrrec.Price{Kind: vrrec.PriceOneTime, Amount: 24.99, Currency: "USD"}, "$24.99", false},
		{"$0", vrrec.Price{Kind: vrrec.PriceFree}, "Free", false},
		{"Free", vrrec.Price{Kind: vrrec.PriceFree}, "Free", false},
		{"Free with in-app purchases", vrrec.Price{Kind: vrrec.PriceFree, InAppPurchases: true}, "Free with in-app purchases", false},
		{"Free, subscription $18.99/month", vrrec.Price{Kind: vrrec.PriceSubscription, Amount: 18.99, Currency: "USD", Period: "month"}, "Subscription, $18.99/month", false},
		{"$99.99/year", vrrec.Price{Kind: vrrec.PriceSubscription, Amount: 99.99, Currency: "USD", Period: "year"}, "Subscription, $99.99/year", false},
		{"Subscription", vrrec.Price{Kind: vrrec.PriceSubscription, Period: "month"}, "Subscription, price not known", false},
		{"", vrrec.Price{Kind: vrrec.PriceUnknown}, "price not known", false},
		{"$0-29.99", vrrec.Price{Kind: vrrec.PriceUnknown, Raw: "$0-29.99"}, `price not known (listed as "$0-29.99")`, true},
		{"$10 to $20", vrrec.Price{Kind: vrrec.PriceUnknown, Raw: "$10 to $20"}, `price not known (listed as "$10 to $20")`, true},
		{"cheap", vrrec.Price{Kind: vrrec.PriceUnknown, Raw: "cheap"}, `price not known (listed as "cheap")`, true},
	}
	for _, tt := range tests {
		got, err := vrrec.ParsePrice(tt.text)
		if got != tt.want {
			t.Errorf("ParsePrice(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
		if (err != nil) != tt.invalid {
			t.Errorf("ParsePrice(%q) error = %v, want error: %v", tt.text, err, tt.invalid)
		}
		if err != nil && vrrec.ErrorCode(err) != vrrec.EINVALID {
			t.Errorf("ParsePrice(%q) error code = %q, want %q", tt.text, vrrec.ErrorCode(err), vrrec.EINVALID)
		}
		if s := got.String(); s != tt.show {
			t.Errorf("ParsePrice(%q).String() = %q, want %q", tt.text, s, tt.show)
		}
	}
}

func TestSubscriptionIsNeverFree(t *testing.T) {
	p, err := vrrec.ParsePrice("Free, subscription $9.99/month")
	if err != nil {
		t.Fatal(err)
	}
	if p.Free() {
		t.Error("a free download with a subscription counts as free")
	}
	if _, ok := p.Upfront(); ok {
		t.Error("a subscription has an upfront price")
	}
	if f, _ := vrrec.ParsePrice("Free with in-app purchases"); !f.Free() {
		t.Error("free with in-app purchases is not free upfront")
	}
}

func TestPriceJSONReadsTextAndObjectAndRoundTrips(t *testing.T) {
	var fromText vrrec.VRApp
	if err := json.Unmarshal([]byte(`{"app_id":"a","price":"Free, subscription $18.99/month"}`), &fromText); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(fromText)
	if err != nil {
		t.Fatal(err)
	}
	var back vrrec.VRApp
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Price != fromText.Price || back.Price.Kind != vrrec.PriceSubscription || back.Price.Amount != 18.99 {
		t.Errorf("round trip through %s: %+v, want %+v", b, back.Price, fromText.Price)
	}
	var zero vrrec.VRApp
	b, _ = json.Marshal(zero)
	if err := json.Unmarshal(b, &back); err != nil || back.Price.Kind != vrrec.PriceUnknown {
		t.Errorf("zero price through %s: %+v, %v", b, back.Price, err)
	}
	if err := json.Unmarshal([]byte(`{"price":{"kind":7}}`), &back); err == nil {
		t.Error("a malformed price object decoded without error")
	}
}

func TestServableAndStatusText(t *testing.T) {
	tests := []struct {
		app      vrrec.VRApp
		servable bool
		text     string
	}{
		{vrrec.VRApp{}, true, "available"},
		{vrrec.VRApp{Platform: vrrec.PlatformQuestAndPC}, true, "available"},
		{vrrec.VRApp{Platform: vrrec.PlatformPCVR}, true, "PC VR: plays on a Quest through Link with a VR-ready PC"},
		{vrrec.VRApp{Platform: vrrec.PlatformMobile}, false, "not a Quest app (mobile)"},
		{vrrec.VRApp{Status: vrrec.StatusDiscontinued, Discontinued: "2023-03-10"}, false, "discontinued (2023-03-10)"},
	}
	for _, tt := range tests {
		if got := tt.app.Servable(); got != tt.servable {
			t.Errorf("%+v Servable() = %v, want %v", tt.app, got, tt.servable)
		}
		if got := tt.app.StatusText(); got != tt.text {
			t.Errorf("%+v StatusText() = %q, want %q", tt.app, got, tt.text)
		}
	}
}
