package vrrec

import "time"

// StudentExport is everything stored about one student identity, by kind
// (interactions, messages, and any other kind a store keeps), as staff
// export it.
type StudentExport struct {
	UserID     string         `json:"user_id"`
	ExportedAt time.Time      `json:"exported_at"`
	Data       map[string]any `json:"data"`
}

// Forgotten reports a deletion of everything stored about one student:
// how many records of each kind went.
type Forgotten struct {
	UserID  string         `json:"user_id"`
	At      time.Time      `json:"at"`
	Removed map[string]int `json:"removed"`
}
