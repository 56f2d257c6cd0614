package embedding_test

import (
	"context"
	"math"
	"testing"

	"github.com/vrrec/vrrec/embedding"
)

// corpus is a small catalog-like text collection: "brain" and
// "neuroscience" share documents, "cybersecurity" is spelled as one word.
var corpus = embedding.Corpus{
	Docs: []string{
		"Cognitive Neuroscience. How the brain supports memory and attention. Neuroscience.",
		"Brain and Behavior. Neurons, the brain and cognition. Neuroscience. Psychology.",
		"Introduction to Cybersecurity. Threats, attacks and defences of networks. Cybersecurity.",
		"Network Security. Firewalls and intrusion detection. Cybersecurity. Computer Networking.",
		"Data-Focused Python. Programming with pandas for analysis. Python Programming. Data Analysis.",
		"Machine Learning for Policy. Models that predict outcomes. Machine Learning. Statistics.",
		"Human Anatomy. Bones, muscles and organs of the human body. Human Anatomy.",
		"Public Speaking. Presenting to an audience with confidence. Public Speaking. Communication.",
		"Negotiation. Bargaining and agreements. Negotiation. Communication.",
		"Astronomy. Planets, stars and galaxies. Astronomy. Physics.",
		"Spanish I. Conversation and grammar in Spanish. Foreign Language Learning.",
		"Financial Accounting. Balance sheets and income statements. Accounting.",
		"User Experience Design. Also known as: UX.",
	},
	Abbreviations: map[string]string{"UX": "User Experience Design"},
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestOfflineSimilarities(t *testing.T) {
	e := embedding.Train(corpus, embedding.Options{})
	sim := func(a, b string) float64 { return cosine(e.Vector(a), e.Vector(b)) }
	related := []struct{ a, b string }{
		{"cyber security", "Cybersecurity."},                    // spelling variant
		{"cyber-security", "Cybersecurity."},                    // hyphenated
		{"ML", "Machine Learning."},                             // built-in abbreviation
		{"UX", "User Experience Design."},                       // catalog abbreviation
		{"AI", "Artificial Intelligence."},                      // built-in, absent from the corpus
		{"brain", "Neuroscience."},                              // learned from co-occurrence
		{"pyhton programing", "Python Programming."},            // typos
		{"I want to learn public speaking", "Public Speaking."}, // filler words
		{"negotiating", "Negotiation."},                         // inflection
	}
	for _, p := range related {
		if s := sim(p.a, p.b); s < 0.35 {
			t.Errorf("sim(%q, %q) = %.3f, want >= 0.35", p.a, p.b, s)
		}
	}
	unrelated := []struct{ a, b string }{
		{"brain", "Financial Accounting."},
		{"cybersecurity", "Human Anatomy."},
		{"astronomy", "Negotiation."},
		{"organization", "Organ"}, // stems must not merge words with different meanings
	}
	for _, p := range unrelated {
		if s := sim(p.a, p.b); s > 0.2 {
			t.Errorf("sim(%q, %q) = %.3f, want <= 0.2", p.a, p.b, s)
		}
	}
	if s := sim("brain", "Neuroscience."); s <= sim("brain", "Astronomy.") {
		t.Errorf("brain is no closer to neuroscience (%.3f) than to astronomy", s)
	}
}

func TestOfflineVectorsAreNormalisedAndDeterministic(t *testing.T) {
	a := embedding.Train(corpus, embedding.Options{})
	b := embedding.Train(corpus, embedding.Options{})
	if a.Name() != b.Name() {
		t.Errorf("same corpus, different names: %s, %s", a.Name(), b.Name())
	}
	other := embedding.Train(embedding.Corpus{Docs: corpus.Docs[:5]}, embedding.Options{})
	if other.Name() == a.Name() {
		t.Error("a different corpus kept the same name; cached vectors would be mixed up")
	}
	vecs, err := a.Embed(context.Background(), []string{"Public speaking practice", "", "the and of"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs[0]) != 1024 {
		t.Errorf("dimension %d, want 1024", len(vecs[0]))
	}
	var norm float64
	for _, x := range vecs[0] {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("norm %.6f, want 1", norm)
	}
	for _, v := range vecs[1:] {
		for _, x := range v {
			if x != 0 {
				t.Fatal("a text without topic words must embed to the zero vector")
			}
		}
	}
	if cosine(a.Vector("public speaking"), b.Vector("public speaking")) < 0.9999 {
		t.Error("the same text embedded differently by two identical embedders")
	}
}

func TestOfflineHashNoiseStaysBelowThresholds(t *testing.T) {
	e := embedding.Train(corpus, embedding.Options{})
	// Texts sharing no word: any similarity is hashing noise, which must
	// stay well under the 0.30 retrieval threshold.
	words := []string{"galaxies", "balance sheets", "bargaining", "muscles", "firewalls", "pandas", "grammar", "memory", "audience", "intrusion"}
	for i, a := range words {
		for _, b := range words[i+1:] {
			if s := cosine(e.Vector(a), e.Vector(b)); math.Abs(s) > 0.2 {
				t.Errorf("sim(%q, %q) = %.3f: hashing noise too large", a, b, s)
			}
		}
	}
}
