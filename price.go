package vrrec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kinds of Price.
const (
	PriceUnknown      = ""             // the zero value; "unknown" in JSON
	PriceFree         = "free"         // nothing to pay upfront (in-app purchases may follow)
	PriceOneTime      = "one_time"     // bought once
	PriceSubscription = "subscription" // paid every Period, even when the download is free
)

// Price is what an app costs, as data. In JSON it is an object
// ({"kind":"one_time","amount":9.99,"currency":"USD"}, {"kind":"unknown"});
// the upstream files' text ("$9.99", "Free with in-app purchases", "Free, subscription
// $18.99/month") is read too, through ParsePrice. The zero value is an
// unknown price.
type Price struct {
	Kind     string  `json:"kind"`
	Amount   float64 `json:"amount,omitempty"`
	Currency string  `json:"currency,omitempty"`
	// Period is how often a subscription is paid: "month" or "year".
	Period         string `json:"period,omitempty"`
	InAppPurchases bool   `json:"in_app_purchases,omitempty"`
	// Raw is upstream text that is not one price ("$0-29.99"), kept as it
	// came so nothing is lost; the price is then unknown.
	Raw string `json:"raw,omitempty"`
	// Note says why an unknown price is unknown ("not verified", "sold to
	// institutions"), or anything a known one needs said; never a guess
	// at the amount.
	Note string `json:"note,omitempty"`
}

var (
	priceRange  = regexp.MustCompile(`\d\s*(-|–|to)\s*\$?\s*\d`)
	priceAmount = regexp.MustCompile(`\$\s*(\d+(?:\.\d{1,2})?)`)
	onlyAmount  = regexp.MustCompile(`^\$\s*(\d+(?:\.\d{1,2})?)(\s*usd)?$`)
	perYear     = regexp.MustCompile(`/\s*(yr|year)|per year|a year|yearly|annual`)
	recurring   = regexp.MustCompile(`subscription|membership|/\s*(mo|month|yr|year)\b|per (month|year)|a month|monthly|yearly|annual`)
)

// ParsePrice reads an upstream price text. Empty or "unknown" text is an
// unknown price. Text that is not one price (a range such as "$0-29.99", or
// words it cannot read) gives an unknown price holding the text in Raw, and
// an error saying why.
func ParsePrice(text string) (Price, error) {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	switch t {
	case "", "unknown", "n/a", "-":
		return Price{Kind: PriceUnknown}, nil
	}
	unknown := Price{Kind: PriceUnknown, Raw: strings.TrimSpace(text)}
	if priceRange.MatchString(t) {
		return unknown, Errorf(EINVALID, "price %q is a range, not one price", text)
	}
	if recurring.MatchString(t) {
		p := Price{Kind: PriceSubscription, Period: "month"}
		if perYear.MatchString(t) {
			p.Period = "year"
		}
		if m := priceAmount.FindStringSubmatch(t); m != nil {
			p.Amount, _ = strconv.ParseFloat(m[1], 64)
			p.Currency = "USD"
		}
		return p, nil
	}
	if strings.HasPrefix(t, "free") {
		return Price{Kind: PriceFree, InAppPurchases: strings.Contains(t, "purchase") || strings.Contains(t, "in-app")}, nil
	}
	if m := onlyAmount.FindStringSubmatch(t); m != nil {
		amount, _ := strconv.ParseFloat(m[1], 64)
		if amount == 0 {
			return Price{Kind: PriceFree}, nil
		}
		return Price{Kind: PriceOneTime, Amount: amount, Currency: "USD"}, nil
	}
	return unknown, Errorf(EINVALID, "price %q is not a price this catalog can read", text)
}

// UnmarshalJSON reads a Price object or an upstream price text. A text that
// ParsePrice cannot read is not an error here: it becomes an unknown price
// holding the text in Raw, for validation to report on the row.
func (p *Price) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		*p, _ = ParsePrice(text)
		return nil
	}
	if string(b) == "null" {
		*p = Price{}
		return nil
	}
	type plain Price
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("price: %w", err)
	}
	*p = Price(v)
	if p.Kind == "unknown" {
		p.Kind = PriceUnknown
	}
	return nil
}

// MarshalJSON writes the Price object; the zero value is {"kind":"unknown"}.
func (p Price) MarshalJSON() ([]byte, error) {
	if p.Kind == PriceUnknown {
		p.Kind = "unknown"
	}
	type plain Price
	return json.Marshal(plain(p))
}

// Known reports whether the price is known: free, one-time or a subscription.
func (p Price) Known() bool { return p.Kind != PriceUnknown }

// Free reports whether nothing is paid upfront or on a schedule: a
// subscription is never free, even when its download is.
func (p Price) Free() bool { return p.Kind == PriceFree }

// Upfront returns what the app costs to own, and false when that is not one
// known amount (unknown, or a subscription).
func (p Price) Upfront() (float64, bool) {
	switch p.Kind {
	case PriceFree:
		return 0, true
	case PriceOneTime:
		return p.Amount, true
	}
	return 0, false
}

// String is the price as shown to a student: "Free", "Free with in-app
// purchases", "$9.99", "Subscription, $18.99/month", "Subscription, price
// not known", "price not known".
func (p Price) String() string {
	switch p.Kind {
	case PriceFree:
		if p.InAppPurchases {
			return "Free with in-app purchases"
		}
		return "Free"
	case PriceOneTime:
		return money(p.Amount, p.Currency)
	case PriceSubscription:
		if p.Amount == 0 {
			return "Subscription, " + priceNotKnown
		}
		return "Subscription, " + money(p.Amount, p.Currency) + "/" + p.Period
	}
	if p.Raw != "" {
		return fmt.Sprintf("%s (listed as %q)", priceNotKnown, p.Raw)
	}
	return priceNotKnown
}

// priceNotKnown is how a price the catalog does not know reads.
const priceNotKnown = "price not known"

func money(amount float64, currency string) string {
	if currency == "" || currency == "USD" {
		return fmt.Sprintf("$%.2f", amount)
	}
	return fmt.Sprintf("%.2f %s", amount, currency)
}
