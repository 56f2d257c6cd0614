package skills

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"

	"golang.org/x/time/rate"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/text"
)

// Normalizer maps extracted names onto the vocabulary: an exact name or
// alias (ignoring case, spaces and hyphens) gives its canonical skill;
// otherwise the longest known name or alias inside the extracted name wins,
// so "Advanced Python Programming" becomes "Python Programming", not
// "Programming". Names that match nothing stay as they are: new skills.
type Normalizer struct {
	exact   map[string]string
	phrases []struct{ words, canon string } // longest first
}

// NewNormalizer indexes a vocabulary.
func NewNormalizer(vocab []vrrec.Skill) *Normalizer {
	n := &Normalizer{exact: map[string]string{}}
	for _, s := range vocab {
		for _, name := range append([]string{s.Name}, s.Aliases...) {
			n.exact[vrrec.SkillKey(name)] = s.Name
			if w := text.Words(name); len(w) > 0 {
				n.phrases = append(n.phrases, struct{ words, canon string }{" " + strings.Join(w, " ") + " ", s.Name})
			}
		}
	}
	sort.SliceStable(n.phrases, func(i, j int) bool { return len(n.phrases[i].words) > len(n.phrases[j].words) })
	return n
}

// Canonical returns the vocabulary's name for an extracted one.
func (n *Normalizer) Canonical(name string) string {
	if c, ok := n.exact[vrrec.SkillKey(name)]; ok {
		return c
	}
	padded := " " + strings.Join(text.Words(name), " ") + " "
	for _, p := range n.phrases {
		if strings.Contains(padded, p.words) {
			return p.canon
		}
	}
	return name
}

// Merge groups names whose vectors are closer than maxDistance (cosine
// distance, 1 - similarity) and maps each to its group's canonical name:
// the most frequent, ties to the shorter then alphabetical. counts says how
// often each name was extracted.
func Merge(ctx context.Context, emb vrrec.Embedder, counts map[string]int, maxDistance float64) (map[string]string, error) {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if counts[a] != counts[b] {
			return counts[a] > counts[b]
		}
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	})
	// Through the cache, so remote embedders get batches they accept.
	vecs, _, err := embedding.NewCache().Embed(ctx, emb, names)
	if err != nil {
		return nil, fmt.Errorf("merge skills: %w", err)
	}
	canon := make(map[string]string, len(names))
	var heads []int // indices of canonical names, most frequent first
	for i, n := range names {
		canon[n] = n
		for _, h := range heads {
			if 1-dot(vecs[i], vecs[h]) < maxDistance {
				canon[n] = names[h]
				break
			}
		}
		if canon[n] == n {
			heads = append(heads, i)
		}
	}
	return canon, nil
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		if i < len(b) {
			s += float64(a[i]) * float64(b[i])
		}
	}
	return s
}

// Record is one finished item in the state file.
type Record struct {
	Item      Item    `json:"item"`
	Extractor string  `json:"extractor"`
	Skills    []Skill `json:"skills"`
}

// Run options.
type Run struct {
	Extractor   Extractor
	StatePath   string     // JSON lines of finished items; a rerun skips them
	Concurrency int        // items read at once; default 4
	Limit       rate.Limit // items started per second; 0 means no limit
	// Progress, when set, is told after each item: done and total count
	// the run's items, failed those that errored.
	Progress func(done, failed, total int)
}

// Extract reads every item not yet in the state file, appending each result
// there as it finishes, and returns all records, old and new, in item order.
// Items that fail are reported in the error and left for the next run; the
// others are kept.
func (r Run) Extract(ctx context.Context, items []Item) ([]Record, error) {
	done, err := readState(r.StatePath)
	if err != nil {
		return nil, err
	}
	ex := r.Extractor.Name()
	var todo []Item
	for _, it := range items {
		if _, ok := done[key(ex, it)]; !ok {
			todo = append(todo, it)
		}
	}
	f, err := os.OpenFile(r.StatePath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("extract skills: state: %w", err)
	}
	defer f.Close()

	conc := max(r.Concurrency, 1)
	if r.Concurrency == 0 {
		conc = 4
	}
	limiter := rate.NewLimiter(rate.Inf, 1)
	if r.Limit > 0 {
		limiter = rate.NewLimiter(r.Limit, 1)
	}
	var (
		mu               sync.Mutex
		finished, failed int
		errs             []error
		wg               sync.WaitGroup
		queue            = make(chan Item)
	)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				skills, err := r.Extractor.Extract(ctx, it)
				mu.Lock()
				if err == nil {
					rec := Record{Item: it, Extractor: ex, Skills: skills}
					b, _ := json.Marshal(rec)
					if _, werr := f.Write(append(b, '\n')); werr != nil {
						err = fmt.Errorf("state: %w", werr)
					} else {
						done[key(ex, it)] = rec
					}
				}
				if err != nil {
					failed++
					errs = append(errs, fmt.Errorf("%s %s: %w", it.Kind, it.ID, err))
				} else {
					finished++
				}
				if r.Progress != nil {
					r.Progress(finished+failed, failed, len(todo))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, it := range todo {
		if err := limiter.Wait(ctx); err != nil {
			break
		}
		select {
		case queue <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()

	out := make([]Record, 0, len(items))
	for _, it := range items {
		if rec, ok := done[key(ex, it)]; ok {
			out = append(out, rec)
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("interrupted: %w", ctx.Err()))
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("extract skills: %d of %d items not done (run again to resume): %w", len(items)-len(out), len(items), errors.Join(errs...))
	}
	return out, nil
}

// key identifies a finished item: the same text read by the same
// extractor. Edited text or another extractor means reading it again.
func key(extractor string, it Item) string {
	sum := sha256.Sum256([]byte(it.Text))
	return extractor + "|" + it.Kind + ":" + it.ID + "|" + hex.EncodeToString(sum[:8])
}

func readState(path string) (map[string]Record, error) {
	done := map[string]Record{}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("extract skills: state: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec Record
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue // a line cut by a crash: that item runs again
		}
		done[key(rec.Extractor, rec.Item)] = rec
	}
	return done, sc.Err()
}

// Build turns records into the catalog's skills and mappings: names
// normalised, near-duplicates merged, source counts and weights derived.
// Vocabulary skills keep their aliases and categories.
func Build(ctx context.Context, records []Record, vocab []vrrec.Skill, emb vrrec.Embedder, maxDistance float64) (skills []vrrec.Skill, courseSkills, appSkills []vrrec.Mapping, err error) {
	norm := NewNormalizer(vocab)
	counts := map[string]int{}
	category := map[string]string{}
	for _, rec := range records {
		for _, s := range rec.Skills {
			n := norm.Canonical(s.Name)
			counts[n]++
			if category[n] == "" {
				category[n] = s.Category
			}
		}
	}
	merged, err := Merge(ctx, emb, counts, maxDistance)
	if err != nil {
		return nil, nil, nil, err
	}
	known := map[string]vrrec.Skill{}
	for _, s := range vocab {
		known[s.Name] = s
	}
	aliases := map[string][]string{}
	sources := map[string]map[string]bool{}
	for _, rec := range records {
		seen := map[string]bool{}
		for _, s := range rec.Skills {
			name := merged[norm.Canonical(s.Name)]
			if seen[name] {
				continue
			}
			seen[name] = true
			if raw := norm.Canonical(s.Name); raw != name && !contains(aliases[name], raw) {
				aliases[name] = append(aliases[name], raw)
			}
			m := vrrec.Mapping{SourceID: rec.Item.ID, SourceType: rec.Item.Kind, SkillName: name, Weight: s.Weight}
			if rec.Item.Kind == vrrec.SourceCourse {
				courseSkills = append(courseSkills, m)
			} else {
				appSkills = append(appSkills, m)
			}
			if sources[name] == nil {
				sources[name] = map[string]bool{}
			}
			sources[name][rec.Item.Kind+":"+rec.Item.ID] = true
		}
	}
	for name, src := range sources {
		s, ok := known[name]
		if !ok {
			s = vrrec.Skill{Name: name, Category: category[name], Weight: 0.7}
		}
		for _, a := range aliases[name] {
			if !contains(s.Aliases, a) {
				s.Aliases = append(s.Aliases, a)
			}
		}
		s.SourceCount = len(src)
		if s.Weight == 0 {
			s.Weight = 0.7
		}
		skills = append(skills, s)
	}
	sort.Slice(skills, func(i, j int) bool { return skills[i].Name < skills[j].Name })
	return skills, courseSkills, appSkills, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
