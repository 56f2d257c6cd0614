// Command fakellm is a local OpenAI-compatible chat-completions server for
// load tests: it ranks the candidates vrrec sends, after a fixed delay, so a
// run measures vrrec waiting on a slow model without paying for one.
//
//	fakellm -addr 127.0.0.1:18080 -delay 1s
//	LLM_BASE_URL=http://127.0.0.1:18080/v1 vrrec serve
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/vrrec/vrrec/internal/fakeopenai"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "listen address (keep it on loopback)")
	delay := flag.Duration("delay", time.Second, "time before each answer")
	flag.Parse()
	f := fakeopenai.New(fakeopenai.Ranker(*delay))
	fmt.Fprintf(os.Stderr, "fake LLM on http://%s/v1, answering after %s\n", *addr, *delay)
	srv := &http.Server{Addr: *addr, Handler: f.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
