package vrrec

import (
	"context"
	"slices"
	"time"
)

// Profile is what a student told the chat about their studies ("I'm a
// nursing student", "I'm taking 15-112 and 21-127"), kept on their
// identity so a vague question ("anything for my major?") can be answered
// from it. They see it on the chat page, change or clear it, and it goes
// with "Forget my conversations", the staff's export and deletion, and
// retention.
type Profile struct {
	Major     string   `json:"major,omitempty"`
	Year      string   `json:"year,omitempty"` // "first year", "graduate", "PhD"
	Courses   []string `json:"courses,omitempty"`
	Interests []string `json:"interests,omitempty"`
	// Language is the language the student writes in (ISO 639-1).
	Language  string    `json:"language,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Stated reports whether p says anything about the student's studies.
func (p Profile) Stated() bool {
	return p.Major != "" || p.Year != "" || len(p.Courses) > 0 || len(p.Interests) > 0
}

// Merge returns p with what q states: a major or year replaces p's,
// courses and interests are added to p's.
func (p Profile) Merge(q Profile) Profile {
	if q.Major != "" {
		p.Major = q.Major
	}
	if q.Year != "" {
		p.Year = q.Year
	}
	for _, c := range q.Courses {
		if !slices.Contains(p.Courses, c) {
			p.Courses = append(p.Courses, c)
		}
	}
	for _, i := range q.Interests {
		if !slices.Contains(p.Interests, i) {
			p.Interests = append(p.Interests, i)
		}
	}
	if q.Language != "" {
		p.Language = q.Language
	}
	return p
}

// Profile limits: what a student may keep (PUT /api/profile refuses more).
const (
	MaxProfileText  = 100 // characters of the major, the year, one course or interest
	MaxProfileItems = 20  // courses, interests
)

// Check returns EINVALID when p is over the limits.
func (p Profile) Check() error {
	for name, s := range map[string]string{"major": p.Major, "year": p.Year, "language": p.Language} {
		if len([]rune(s)) > MaxProfileText {
			return Errorf(EINVALID, "%s is longer than %d characters", name, MaxProfileText)
		}
	}
	for name, list := range map[string][]string{"courses": p.Courses, "interests": p.Interests} {
		if len(list) > MaxProfileItems {
			return Errorf(EINVALID, "%s lists more than %d items", name, MaxProfileItems)
		}
		for _, s := range list {
			if len([]rune(s)) > MaxProfileText {
				return Errorf(EINVALID, "%s: %q is longer than %d characters", name, s, MaxProfileText)
			}
		}
	}
	return nil
}

// Visit is a student opening the chat: when, and the apps the catalog
// could recommend then, so the next visit can say which are new.
type Visit struct {
	At   time.Time `json:"at"`
	Apps []string  `json:"apps"`
}

// Welcome is what the chat says when a student opens it: their profile,
// and the apps new in the catalog since their last visit that fit their
// studies or past questions, said once.
type Welcome struct {
	Profile Profile `json:"profile"`
	// Message is one line naming the new apps ("New since your last
	// visit: ..."), in markdown; empty when there are none.
	Message string              `json:"message,omitempty"`
	NewApps []AppRecommendation `json:"new_apps,omitempty"`
}

// ProfileStore keeps the students' profiles and last visits, one record per
// student identity. Errors mean the store could not be reached; a student
// with nothing stored is not an error.
type ProfileStore interface {
	// Profile returns the student's profile and last visit, zero when
	// none is stored.
	Profile(ctx context.Context, userID string) (Profile, Visit, error)
	// SaveProfile replaces the student's profile; one that states nothing
	// clears it (the visit stays).
	SaveProfile(ctx context.Context, userID string, p Profile) error
	// SaveVisit records a visit and returns the one before it (zero when
	// this is the first).
	SaveVisit(ctx context.Context, userID string, v Visit) (Visit, error)
	// ForgetProfile deletes the student's profile and visit and returns how
	// many records went (0 or 1).
	ForgetProfile(ctx context.Context, userID string) (int, error)
	// ExpireProfiles deletes the records of students neither seen nor
	// changed since before, and returns how many went.
	ExpireProfiles(ctx context.Context, before time.Time) (int, error)
}
