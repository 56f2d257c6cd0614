// Package privacy deletes what is stored about students: everything about
// one student when they ask (the chat page's "Forget my conversations") or
// staff do, and everything older than its retention window, once a day. It
// exports what is stored about one student for staff too. Each kind of
// data kept per student (interactions, chat sessions, feedback) is a Kind;
// the stores keep daily summaries, so statistics survive the deletions.
package privacy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vrrec/vrrec"
)

// Kind is one kind of data kept about students, and how to export, forget
// and expire it.
type Kind struct {
	Name string // interactions, messages, feedback: the key in exports and reports
	// Keep is how long it is kept; 0 keeps it until a student or staff
	// delete it.
	Keep time.Duration
	// Export returns everything of the kind stored about the student.
	Export func(ctx context.Context, userID string) (any, error)
	// Forget deletes it, up to at, and returns how many records went.
	Forget func(ctx context.Context, userID string, at time.Time) (int, error)
	// Expire deletes what is older than before and returns how many
	// records went.
	Expire func(ctx context.Context, before time.Time) (int, error)
}

// Interactions is the interaction log as a Kind: forgotten interactions
// stay out when replayed, and the daily statistics keep them.
func Interactions(log vrrec.InteractionLog, keep time.Duration) Kind {
	return Kind{Name: "interactions", Keep: keep,
		Export: func(ctx context.Context, userID string) (any, error) {
			const page = 500
			out := []vrrec.Interaction{}
			for {
				items, total, err := log.Interactions(ctx, vrrec.InteractionFilter{UserID: userID, Limit: page, Offset: len(out)})
				if err != nil {
					return nil, err
				}
				out = append(out, items...)
				if len(items) < page || len(out) >= total {
					return out, nil
				}
			}
		},
		Forget: log.ForgetInteractions,
		Expire: log.ExpireInteractions,
	}
}

// Sessions is the chat sessions' messages as a Kind; a session expires
// with its last message.
func Sessions(store vrrec.SessionStore, keep time.Duration) Kind {
	return Kind{Name: "messages", Keep: keep,
		Export: func(ctx context.Context, userID string) (any, error) {
			msgs, err := store.History(ctx, userID, math.MaxInt32)
			if msgs == nil {
				msgs = []vrrec.Message{}
			}
			return msgs, err
		},
		Forget: func(ctx context.Context, userID string, _ time.Time) (int, error) {
			return store.ForgetSessions(ctx, userID)
		},
		Expire: store.ExpireSessions,
	}
}

// Feedback is the students' votes as a Kind.
func Feedback(store vrrec.FeedbackStore, keep time.Duration) Kind {
	return Kind{Name: "feedback", Keep: keep,
		Export: func(ctx context.Context, userID string) (any, error) { return store.StudentFeedback(ctx, userID) },
		Forget: func(ctx context.Context, userID string, _ time.Time) (int, error) {
			return store.ForgetFeedback(ctx, userID)
		},
		Expire: store.ExpireFeedback,
	}
}

// ProfileExport is a student's profile and last visit as exported.
type ProfileExport struct {
	Profile   vrrec.Profile `json:"profile"`
	LastVisit vrrec.Visit   `json:"last_visit"`
}

// Profiles is what students told about their studies, and their last
// visit, as a Kind; one expires when the student has neither changed it
// nor opened the chat for keep.
func Profiles(store vrrec.ProfileStore, keep time.Duration) Kind {
	return Kind{Name: "profile", Keep: keep,
		Export: func(ctx context.Context, userID string) (any, error) {
			p, v, err := store.Profile(ctx, userID)
			return ProfileExport{Profile: p, LastVisit: v}, err
		},
		Forget: func(ctx context.Context, userID string, _ time.Time) (int, error) {
			return store.ForgetProfile(ctx, userID)
		},
		Expire: store.ExpireProfiles,
	}
}

// Service exports, forgets and expires every Kind.
type Service struct {
	Kinds []Kind
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// MaxUserID bounds the user ids staff may name.
const MaxUserID = 200

func checkUserID(userID string) error {
	if userID == "" || len(userID) > MaxUserID {
		return vrrec.Errorf(vrrec.EINVALID, "a student identity (user id) of 1 to %d characters is required", MaxUserID)
	}
	return nil
}

// Export returns everything stored about the student, by kind.
func (s *Service) Export(ctx context.Context, userID string) (vrrec.StudentExport, error) {
	if err := checkUserID(userID); err != nil {
		return vrrec.StudentExport{}, err
	}
	out := vrrec.StudentExport{UserID: userID, ExportedAt: s.now(), Data: map[string]any{}}
	for _, k := range s.Kinds {
		data, err := k.Export(ctx, userID)
		if err != nil {
			return out, vrrec.Unavailable(fmt.Errorf("export %s: %w", k.Name, err), "The database does not answer; nothing was exported")
		}
		out.Data[k.Name] = data
	}
	return out, nil
}

// Forget deletes everything stored about the student, every kind even
// when one fails (the error names those that did; forgetting again is
// safe).
func (s *Service) Forget(ctx context.Context, userID string) (vrrec.Forgotten, error) {
	if err := checkUserID(userID); err != nil {
		return vrrec.Forgotten{}, err
	}
	out := vrrec.Forgotten{UserID: userID, At: s.now(), Removed: map[string]int{}}
	var errs []error
	for _, k := range s.Kinds {
		n, err := k.Forget(ctx, userID, out.At)
		out.Removed[k.Name] = n
		if err != nil {
			errs = append(errs, fmt.Errorf("forget %s: %w", k.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return out, vrrec.Unavailable(err, "The database does not answer; not everything was deleted, try again")
	}
	return out, nil
}

// Expire deletes, of every kind with a retention window, what is older
// than it, and returns how many records of each kind went. report, when
// set, is told each kind's outcome as it is known.
func (s *Service) Expire(ctx context.Context, report func(kind string, before time.Time, n int, err error)) (map[string]int, error) {
	now := s.now()
	out := map[string]int{}
	var errs []error
	for _, k := range s.Kinds {
		if k.Keep <= 0 {
			continue
		}
		before := now.Add(-k.Keep)
		n, err := k.Expire(ctx, before)
		out[k.Name] = n
		if report != nil {
			report(k.Name, before, n, err)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("expire %s: %w", k.Name, err))
		}
	}
	return out, errors.Join(errs...)
}

// JobType is the retention job's type in the job history.
const JobType = "retention"

// RetentionEvery is how often retention runs.
const RetentionEvery = 24 * time.Hour

// Due reports whether retention should run at now, given the latest jobs
// (newest first): when none completed in the last RetentionEvery.
func Due(recent []vrrec.Job, now time.Time) bool {
	for _, j := range recent {
		if j.Type != JobType {
			continue
		}
		if j.State == vrrec.JobRunning {
			return false
		}
		if j.State == vrrec.JobCompleted && now.Sub(j.StartedAt) < RetentionEvery {
			return false
		}
	}
	return true
}
