package injectcaddy_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// upstreamsDir holds the applications in other languages that the tests put
// behind Caddy.
var upstreamsDir = filepath.Join("testdata", "upstreams")

// needTool returns the path of the program name, or skips t without it;
// where the tests are mandatory (requireEnv=1, or CI=true) it fails t.
func needTool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (%s; CI=true)", name, install)
		}
		skipOrFail(t, "%s is not installed (%s)", name, install)
	}
	return path
}

// debianPython returns a Python 3 interpreter that imports Flask and the
// Sentry SDK (and blinker, which its Flask integration needs): $TRACEMETA_PYTHON, else Debian's /usr/bin/python3 (which
// python3-flask and python3-sentry-sdk install into), else python3 on $PATH.
func debianPython(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("TRACEMETA_PYTHON"), "/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if p != "" && exec.Command(p, "-c", "import flask, sentry_sdk, blinker").Run() == nil {
			return p
		}
	}
	needTool(t, "a python3 with flask, sentry_sdk and blinker", "apt-get install python3-flask python3-blinker python3-sentry-sdk")
	return ""
}

// prefixWriter logs what a child process writes, line by line.
type prefixWriter struct {
	t      testing.TB
	prefix string
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Logf("%s: %s", w.prefix, line)
	}
	return len(p), nil
}

// startProcess runs cmd until the end of t, stopping it and its children
// with SIGTERM, and
// returns the host:port it serves on: the one it prints as "listening on
// http://HOST:PORT", or addr when addr is not empty, once it accepts
// connections.
func startProcess(t testing.TB, name string, cmd *exec.Cmd, addr string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	run.Dir, run.Env = cmd.Dir, cmd.Env
	// A process group of its own, stopped as a whole: PHP's workers are
	// children of the server.
	run.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	run.Cancel = func() error { return syscall.Kill(-run.Process.Pid, syscall.SIGTERM) }
	run.WaitDelay = 5 * time.Second
	run.Stderr = &prefixWriter{t: t, prefix: name}
	out, err := run.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, run.Start(), "starting %s", name)
	t.Cleanup(func() {
		cancel()
		_ = run.Wait()
	})
	printed := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "listening on http://"); ok {
				printed <- rest
			}
		}
	}()
	deadline := time.After(30 * time.Second)
	if addr == "" {
		select {
		case addr = <-printed:
		case <-deadline:
			t.Fatalf("%s did not start", name)
		}
	}
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return addr
		}
		select {
		case <-deadline:
			t.Fatalf("%s does not accept connections on %s", name, addr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// phpApp starts PHP's built-in server on testdata/upstreams/php, with the
// environment env, and returns its host:port. It runs a few workers, so that
// a connection a browser opens and leaves idle does not hold up the others.
func phpApp(t testing.TB, env ...string) string {
	t.Helper()
	php := needTool(t, "php", "apt-get install php-cli")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(php, "-S", addr, "router.php")
	cmd.Dir = filepath.Join(upstreamsDir, "php")
	cmd.Env = append(append(os.Environ(), "PHP_CLI_SERVER_WORKERS=4"), env...)
	return startProcess(t, "php", cmd, addr)
}

// stdlibPythonApp starts the http.server app of testdata/upstreams/python and
// returns its host:port.
func stdlibPythonApp(t testing.TB) string {
	t.Helper()
	python := needTool(t, "python3", "apt-get install python3")
	cmd := exec.Command(python, "stdlib_server.py")
	cmd.Dir = filepath.Join(upstreamsDir, "python")
	return startProcess(t, "http.server", cmd, "")
}

// flaskApp starts the Flask app of testdata/upstreams/python, traced by the
// Sentry SDK with the DSN dsn, and returns its host:port.
func flaskApp(t testing.TB, dsn string) string {
	t.Helper()
	cmd := exec.Command(debianPython(t), "flask_app.py")
	cmd.Dir = filepath.Join(upstreamsDir, "python")
	cmd.Env = append(os.Environ(), "SENTRY_DSN="+dsn, "PYTHONDONTWRITEBYTECODE=1")
	return startProcess(t, "flask", cmd, "")
}

// reactDir is the React app of testdata/upstreams/node.
var reactDir = filepath.Join(upstreamsDir, "node")

// installReact installs the React app's pinned packages, once a run.
var installReact = sync.OnceValue(func() error { return npmCI(reactDir, "react-dom") })

// reactApp starts the React app of testdata/upstreams/node, traced by
// @sentry/node with the DSN dsn, and returns its host:port. It installs the
// app's pinned packages first when they are missing.
func reactApp(t testing.TB, dsn string) string {
	t.Helper()
	return startNodeApp(t, "react", reactDir, installReact, "SENTRY_DSN="+dsn)
}

// startNodeApp runs server.js of the Node app in dir with the environment
// env added, after install, and returns the host:port it serves on.
func startNodeApp(t testing.TB, name, dir string, install func() error, env ...string) string {
	t.Helper()
	node := needTool(t, "node", "apt-get install nodejs")
	needTool(t, "npm", "apt-get install npm")
	require.NoError(t, install())
	cmd := exec.Command(node, "server.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return startProcess(t, name, cmd, "")
}

// npmCI installs the pinned packages of the Node app in dir, unless the
// package probe is there already.
func npmCI(dir, probe string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", probe)); err == nil {
		return nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	return nil
}

// traceMetaNames are the names of the trace meta tags.
var traceMetaNames = []string{"sentry-trace", "baggage", "traceparent"}

// traceMetas parses page as a browser does and returns the content of its
// trace meta elements by name, those in the <head> and those elsewhere.
// Template contents are not part of the document and are left out.
func traceMetas(page string) (head, elsewhere map[string][]string, err error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, nil, fmt.Errorf("parsing the page: %w", err)
	}
	head, elsewhere = map[string][]string{}, map[string][]string{}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Template:
				return
			case atom.Head:
				inHead = true
			case atom.Meta:
				var name, content string
				for _, a := range n.Attr {
					switch a.Key {
					case "name":
						name = strings.ToLower(a.Val)
					case "content":
						content = a.Val
					}
				}
				for _, want := range traceMetaNames {
					if name != want {
						continue
					}
					if inHead {
						head[name] = append(head[name], content)
					} else {
						elsewhere[name] = append(elsewhere[name], content)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return head, elsewhere, nil
}

// traceMetaContent matches the content of a trace meta tag, as the
// applications and Caddy write them.
var traceMetaContent = regexp.MustCompile(`(<meta name="(?:sentry-trace|baggage|traceparent)" content=")[^"]*(")`)

// withoutIDs returns page with the content of its trace meta tags blanked:
// two renderings of a page that renders its own tags differ only there.
func withoutIDs(page string) string {
	return traceMetaContent.ReplaceAllString(page, "${1}${2}")
}

// stackCase is one page of an upstream, as the client asks for it.
type stackCase struct {
	own      bool   // the application renders its own tags
	framing  string // how the application frames the page (its framing parameter)
	banner   bool   // the head holds a client-side template with a <header>
	encoding string // the client's Accept-Encoding: gzip or identity
}

func (c stackCase) query() string {
	return fmt.Sprintf("/page?own=%d&framing=%s&banner=%d", b2i(c.own), c.framing, b2i(c.banner))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkStackPage returns what is wrong with page, the page Caddy served for
// c from an application whose own rendering of it, fetched directly, is
// direct; res is Caddy's response. It wants exactly one set of tags
// (sentry-trace and baggage) in the head: the application's own when it
// rendered them, else Caddy's, naming the span it sent upstream; the page
// otherwise as the application sent it; and the page compressed when the
// client accepts gzip (encode compresses it, or the application did), not
// when it does not.
func checkStackPage(c stackCase, res *http.Response, page, direct string) []string {
	var problems []string
	if res.StatusCode != http.StatusOK {
		return []string{fmt.Sprintf("status %d", res.StatusCode)}
	}
	wantEncoding := map[string]string{"gzip": "gzip", "identity": ""}[c.encoding]
	if got := res.Header.Get("Content-Encoding"); got != wantEncoding {
		what := "not compressed"
		if wantEncoding == "" {
			what = "compressed for a client that accepts no compression"
		}
		problems = append(problems, fmt.Sprintf("%s (Content-Encoding %q for Accept-Encoding %s)", what, got, c.encoding))
	}
	head, elsewhere, err := traceMetas(page)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, name := range traceMetaNames {
		if n := len(elsewhere[name]); n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s outside the head", n, name))
		}
	}
	want := map[string]int{"sentry-trace": 1, "baggage": 1, "traceparent": 0}
	for _, name := range traceMetaNames {
		if n := len(head[name]); n != want[name] {
			problems = append(problems, fmt.Sprintf("%d %s in the head", n, name))
		}
	}
	if len(head["sentry-trace"]) == 0 {
		return problems
	}
	first := head["sentry-trace"][0] // the one the browser SDK reads
	if c.own {
		own := res.Header.Get("X-Test-Own-Trace")
		if first != own {
			problems = append(problems, fmt.Sprintf("the first sentry-trace is not the app's (%s, the app's %s)", first, own))
		}
		if withoutIDs(page) != withoutIDs(direct) {
			problems = append(problems, "bytes changed beyond the tags' IDs")
		}
		return problems
	}
	received, err := tracecontext.ParseSentryTrace(res.Header.Get("X-Test-Received-Trace"))
	if err != nil {
		return append(problems, fmt.Sprintf("the app got no valid sentry-trace: %v", err))
	}
	named, err := tracecontext.ParseSentryTrace(first)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("sentry-trace %q: %v", first, err))
	case named.TraceID != received.TraceID || named.SpanID != received.SpanID:
		problems = append(problems, fmt.Sprintf("the page does not name Caddy's span (%s, Caddy's span %s)", first, received.SpanID))
	}
	if len(head["sentry-trace"]) == 1 && len(head["baggage"]) == 1 {
		if i := strings.Index(page, `<meta name="sentry-trace"`); i < 0 {
			problems = append(problems, "Caddy's tags are not written as Caddy writes them")
		} else if j := strings.Index(page[i:], `<meta name="baggage" content="`); j < 0 {
			problems = append(problems, "Caddy's baggage tag does not follow its sentry-trace tag")
		} else if k := strings.Index(page[i+j:], `">`); k < 0 || page[:i]+page[i+j+k+2:] != direct {
			problems = append(problems, "bytes changed beyond the inserted tags")
		}
	}
	return problems
}

// stack is an application in another language behind Caddy.
type stack struct {
	name     string
	start    func(t testing.TB, dsn string) string
	framings []string
}

// TestUpstreamStacks proxies pages of PHP, Python (http.server and Flask)
// and Node (React streaming SSR) applications, each with and without its own
// trace tags, in each framing the stack has, with and without a <header> in
// the head (in a client-side template, before the page's own tags), for
// clients that accept gzip and that do not, the applications compressing
// what they send when their request accepts gzip. Each page must carry
// exactly one set of tags, the application's when it rendered them, Caddy's
// otherwise, be otherwise the page the application sends, and reach a client
// that accepts gzip compressed, as it does without tracemeta. The matrix of
// results is logged (upstream AE: the Accept-Encoding the application got).
func TestUpstreamStacks(t *testing.T) {
	stacks := []stack{
		{"php -S", func(t testing.TB, _ string) string { return phpApp(t) }, []string{"length", "stream", "flushed"}},
		{"python http.server", func(t testing.TB, _ string) string { return stdlibPythonApp(t) }, []string{"length", "close", "flushed"}},
		{"flask+sentry-sdk", flaskApp, []string{"length", "stream", "flushed"}},
		{"react+@sentry/node", reactApp, []string{"length", "stream"}},
	}
	type row struct {
		stack string
		stackCase
		upstreamAE string // the Accept-Encoding the application got through Caddy
		result     string
	}
	var rows []row
	for _, st := range stacks {
		t.Run(st.name, func(t *testing.T) {
			col := newCollector(t)
			app := st.start(t, col.DSN("49d0f7386ad645858ae85020e393bef3"))
			base := startCaddy(t, "\tencode gzip\n\ttracemeta {\n\t\tpublic_key 49d0f7386ad645858ae85020e393bef3\n\t}\n\treverse_proxy "+app+"\n")
			for _, own := range []bool{false, true} {
				for _, framing := range st.framings {
					for _, banner := range []bool{false, true} {
						for _, encoding := range []string{"identity", "gzip"} {
							c := stackCase{own: own, framing: framing, banner: banner, encoding: encoding}
							name := fmt.Sprintf("own=%v/%s/banner=%v/%s", own, framing, banner, encoding)
							t.Run(name, func(t *testing.T) {
								r := row{stack: st.name, stackCase: c, result: "FAIL (see log)"}
								defer func() { rows = append(rows, r) }()
								_, direct := navigate(t, "http://"+app+c.query(), encoding, nil)
								res, page := navigate(t, base+c.query(), encoding, nil)
								r.upstreamAE = cmp(res.Header.Get("X-Test-Accept-Encoding"), "-")
								problems := checkStackPage(c, res, page, direct)
								for _, p := range problems {
									t.Error(p)
								}
								switch {
								case len(problems) > 0:
									short := make([]string, len(problems))
									for i, p := range problems {
										short[i], _, _ = strings.Cut(p, " (")
									}
									r.result = "FAIL: " + strings.Join(short, "; ")
									head, _, _ := strings.Cut(page, "<body")
									t.Logf("the page through Caddy, up to its body:\n%s", head)
								case own:
									r.result = "ok: one set, the app's"
								default:
									r.result = "ok: one set, Caddy's"
								}
							})
						}
					}
				}
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-20s %-5s %-8s %-6s %-8s %-11s %s\n", "upstream", "own", "framing", "header", "encoding", "upstream AE", "result")
	failed := 0
	for _, r := range rows {
		fmt.Fprintf(&b, "%-20s %-5v %-8s %-6v %-8s %-11s %s\n", r.stack, r.own, r.framing, r.banner, r.encoding, r.upstreamAE, r.result)
		if !strings.HasPrefix(r.result, "ok") {
			failed++
		}
	}
	fmt.Fprintf(&b, "%d of %d cases right", len(rows)-failed, len(rows))
	t.Log(b.String())
}
