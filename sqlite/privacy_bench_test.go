package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/testenv"
	"github.com/vrrec/vrrec/sqlite"
)

// withSummaries is a database holding 120 days of interactions, 300 a day
// from 40 students, the older half of them expired into daily summaries.
func withSummaries(b *testing.B) *sqlite.DB {
	b.Helper()
	db := testenv.SQLite(b)
	ctx := context.Background()
	start := time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)
	for day := range 120 {
		items := make([]vrrec.Interaction, 300)
		for i := range items {
			items[i] = vrrec.Interaction{ID: fmt.Sprintf("%d-%d", day, i), UserID: fmt.Sprint("u", (day*7+i)%40), SessionID: "s",
				Query: "a question", Intent: []string{"recommendation", "greeting", "app_details"}[i%3], Response: "an answer",
				Apps: []string{"cubism", "organon"}, LatencyMS: float64(i%97) * 3.1, Source: "web",
				Time: start.AddDate(0, 0, day).Add(time.Duration(i) * time.Minute)}
		}
		if err := db.Record(ctx, items...); err != nil {
			b.Fatal(err)
		}
	}
	if n, err := db.ExpireInteractions(ctx, start.AddDate(0, 0, 60)); err != nil || n != 60*300 {
		b.Fatalf("expired %d, %v", n, err)
	}
	return db
}

// BenchmarkStatsWithSummaries is the dashboard's all-time statistics over
// 60 days of rows (18,000) and 60 summarised days (18,000 interactions).
func BenchmarkStatsWithSummaries(b *testing.B) {
	db := withSummaries(b)
	ctx := context.Background()
	for b.Loop() {
		if st, err := db.Stats(ctx, time.Time{}); err != nil || st.Total != 120*300 {
			b.Fatalf("%d, %v", st.Total, err)
		}
	}
}

// BenchmarkExpireADay is the daily retention run: one more day of 300
// interactions into its summary.
func BenchmarkExpireADay(b *testing.B) {
	db := withSummaries(b)
	ctx := context.Background()
	cut := time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 60)
	for b.Loop() {
		cut = cut.AddDate(0, 0, 1)
		if n, err := db.ExpireInteractions(ctx, cut); err != nil || n != 300 {
			b.Fatalf("expired %d, %v", n, err)
		}
	}
}
