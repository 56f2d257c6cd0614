// Command catalogvectors embeds the texts the recommender indexes for the
// embedded catalog (rag.IndexTexts) with the built-in model and writes them
// as a vector snapshot, which the binary embeds: run it through
// `go generate ./catalog` after changing catalog/default or the model.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/bert/minilm"
	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/embedding"
	"github.com/vrrec/vrrec/rag"
)

func main() {
	out := flag.String("out", "catalog/default/vectors.bin", "snapshot to write")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	start := time.Now()
	cat, err := catalog.Default()
	if err != nil {
		return err
	}
	emb, err := minilm.Load()
	if err != nil {
		return err
	}
	texts := rag.IndexTexts(cat)
	vecs, err := emb.Embed(context.Background(), texts)
	if err != nil {
		return err
	}
	byKey := make(map[string][]float32, len(texts))
	for i, t := range texts {
		byKey[vrrec.TextKey(t)] = vecs[i]
	}
	var buf bytes.Buffer
	if err := embedding.WriteSnapshot(&buf, emb.Name(), byKey); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d vectors of %s, %d bytes, in %s\n", out, len(byKey), emb.Name(), buf.Len(), time.Since(start).Round(time.Millisecond))
	return nil
}
