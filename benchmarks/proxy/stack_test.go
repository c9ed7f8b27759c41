//go:build linux

package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
)

// Environment variables that name the binaries of the stacks. run.sh builds
// Caddy and installs workerd, and sets both; without them the tests build
// Caddy from ../../inject/caddy/cmd/caddy and take workerd from
// ../workerd/node_modules.
const (
	caddyEnv   = "TRACEMETA_BENCH_CADDY"
	workerdEnv = "TRACEMETA_BENCH_WORKERD"
	// requireEnv makes a missing workerd a failure rather than a skip, as it
	// makes a missing browser one in the rest of the repository (CI sets it).
	requireEnv = "TRACEMETA_REQUIRE_BROWSER"
	// profileEnv names a file: the Caddys then serve their admin API, and
	// BenchmarkProxy writes a CPU profile of the Caddy that profileImplEnv
	// names (caddy-tracemeta unless set), taken through the API's
	// /debug/pprof while the rows run, to the file (profile.sh caddy).
	profileEnv     = "TRACEMETA_BENCH_CADDY_PROFILE"
	profileImplEnv = "TRACEMETA_BENCH_CADDY_PROFILE_IMPL"
)

// page is one page the upstream serves, by its name in benchmark names.
type page struct {
	name string
	html []byte
	gz   []byte // html compressed by gzip, served to clients that accept it
}

// pages are the upstream's pages: the 2 KB corpus page and typical pages of
// 12 KB and 120 KB.
var pages = sync.OnceValue(func() []page {
	small, ok := corpus.ByName("small-2K")
	if !ok {
		panic("no page small-2K in the corpus")
	}
	ps := []page{
		{name: "2K", html: small.HTML},
		{name: "12K", html: corpus.Typical(12 * corpus.KiB)},
		{name: "120K", html: corpus.Typical(120 * corpus.KiB)},
	}
	for i := range ps {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(ps[i].html)
		_ = zw.Close()
		ps[i].gz = b.Bytes()
	}
	return ps
})

// The upstream's codings: identity always sends the page as it is; gzip
// sends it compressed (a gzip it made once, so that compressing costs the
// upstream nothing) to a request whose Accept-Encoding names gzip, as an
// application behind a compression middleware does.
const (
	codingIdentity = "identity"
	codingGzip     = "gzip"
)

// upstreamHandler serves /CODING/PAGE.
func upstreamHandler() http.Handler {
	mux := http.NewServeMux()
	for _, p := range pages() {
		for _, coding := range []string{codingIdentity, codingGzip} {
			mux.HandleFunc("GET /"+coding+"/"+p.name, func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Content-Type", "text/html; charset=utf-8")
				h.Set("Cache-Control", "no-store")
				body := p.html
				if coding == codingGzip {
					h.Set("Vary", "Accept-Encoding")
					if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
						h.Set("Content-Encoding", "gzip")
						body = p.gz
					}
				}
				h.Set("Content-Length", strconv.Itoa(len(body)))
				_, _ = w.Write(body)
			})
		}
	}
	return mux
}

// env is everything the proxy benchmarks run: the upstream in this process,
// and each stack in a process of its own.
type env struct {
	caddy, workerd string // the binaries
	upstream       string // host:port
	stacks         map[string]*stack
}

// stack is a proxy process and its sites: by encode ("none" or "gzip"), the
// base URL that proxies the upstream.
type stack struct {
	cmd   *exec.Cmd
	sites map[string]string
	dir   string
	admin string // the base URL of Caddy's admin API, or "" when it is off
}

// The stacks, by the impl of the benchmark names.
const (
	implCaddy          = "caddy"
	implCaddyTracemeta = "caddy-tracemeta"
	implWorkerdPlain   = "workerd-plain"
	implWorkerd        = "workerd-htmlrewriter"
)

// encodes are the encode settings of the Caddy sites; workerd runs only
// without (it has no such directive: a response leaves as its upstream
// encoded it).
var encodes = []string{"none", "gzip"}

var (
	envOnce sync.Once
	theEnv  *env
	envErr  error
	skipWhy string
)

// setup starts the upstream and the stacks once per test binary. It skips
// the caller when a binary is missing and may be (see requireEnv).
func setup(tb testing.TB) *env {
	tb.Helper()
	envOnce.Do(func() { theEnv, skipWhy, envErr = start() })
	if envErr != nil {
		tb.Fatal(envErr)
	}
	if skipWhy != "" {
		tb.Skip(skipWhy)
	}
	return theEnv
}

// start starts the upstream, the two Caddys and workerd. It returns a
// reason to skip when a binary is missing and may be.
func start() (*env, string, error) {
	caddyBin, why, err := caddyBinary()
	if err != nil || why != "" {
		return nil, why, err
	}
	workerdBin, why, err := workerdBinary()
	if err != nil || why != "" {
		return nil, why, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("upstream: %w", err)
	}
	srv := &http.Server{Handler: upstreamHandler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	e := &env{caddy: caddyBin, workerd: workerdBin, upstream: ln.Addr().String(), stacks: map[string]*stack{}}
	cleanups = append(cleanups, func() { _ = srv.Close() })
	for _, traced := range []bool{false, true} {
		s, err := startCaddy(caddyBin, e.upstream, traced)
		if err != nil {
			return nil, "", err
		}
		if traced {
			e.stacks[implCaddyTracemeta] = s
		} else {
			e.stacks[implCaddy] = s
		}
	}
	plain, rewrite, err := startWorkerd(workerdBin, e.upstream)
	if err != nil {
		return nil, "", err
	}
	e.stacks[implWorkerdPlain], e.stacks[implWorkerd] = plain, rewrite
	return e, "", nil
}

// cleanups end what start started; TestMain runs them.
var cleanups []func()

func stopAll() {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// caddyBinary returns the Caddy of caddyEnv, or builds one from
// inject/caddy/cmd/caddy; with -short it skips instead of building.
func caddyBinary() (path, skip string, err error) {
	if p := os.Getenv(caddyEnv); p != "" {
		return p, "", nil
	}
	if testing.Short() {
		return "", "-short: no Caddy built (set " + caddyEnv + ", as run.sh does)", nil
	}
	dir, err := os.MkdirTemp("", "tracemeta-proxy-bench-")
	if err != nil {
		return "", "", err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	bin := filepath.Join(dir, "caddy")
	cmd := exec.Command("go", "build", "-C", filepath.Join("..", "..", "inject", "caddy"), "-o", bin, "./cmd/caddy")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("build Caddy: %w\n%s", err, out)
	}
	return bin, "", nil
}

// workerdBinary returns the workerd of workerdEnv, or the one npm ci
// installed in ../workerd. A missing one skips, unless requireEnv is 1.
func workerdBinary() (path, skip string, err error) {
	if p := os.Getenv(workerdEnv); p != "" {
		return p, "", nil
	}
	candidates, _ := filepath.Glob(filepath.Join("..", "workerd", "node_modules", "@cloudflare", "workerd-*", "bin", "workerd"))
	for _, c := range candidates {
		if abs, err := filepath.Abs(c); err == nil {
			return abs, "", nil
		}
	}
	why := "no workerd: run npm ci in benchmarks/workerd (or set " + workerdEnv + ")"
	if os.Getenv(requireEnv) == "1" {
		return "", "", errors.New(why)
	}
	return "", why, nil
}

// freePort returns a port of 127.0.0.1 that nothing listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// caddyfile is the configuration of a benchmark Caddy: a site without and
// one with encode, both proxying the upstream, with tracemeta or not.
func caddyfile(dir, upstream string, ports map[string]int, traced bool, admin int) string {
	var b strings.Builder
	adminLine := "admin off"
	if admin != 0 {
		adminLine = fmt.Sprintf("admin 127.0.0.1:%d", admin)
	}
	fmt.Fprintf(&b, `{
	%s
	auto_https off
	persist_config off
	storage file_system %s
	log {
		level ERROR
	}
}
`, adminLine, filepath.Join(dir, "storage"))
	for _, enc := range encodes {
		fmt.Fprintf(&b, "http://127.0.0.1:%d {\n", ports[enc])
		if enc != "none" {
			fmt.Fprintf(&b, "\tencode %s\n", enc)
		}
		if traced {
			b.WriteString("\ttracemeta\n")
		}
		fmt.Fprintf(&b, "\treverse_proxy %s\n}\n", upstream)
	}
	return b.String()
}

// startCaddy runs Caddy with caddyfile's configuration.
func startCaddy(bin, upstream string, traced bool) (*stack, error) {
	dir, err := os.MkdirTemp("", "tracemeta-proxy-caddy-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	ports := map[string]int{}
	s := &stack{sites: map[string]string{}, dir: dir}
	for _, enc := range encodes {
		if ports[enc], err = freePort(); err != nil {
			return nil, err
		}
		s.sites[enc] = fmt.Sprintf("http://127.0.0.1:%d", ports[enc])
	}
	admin := 0
	if os.Getenv(profileEnv) != "" {
		if admin, err = freePort(); err != nil {
			return nil, err
		}
		s.admin = fmt.Sprintf("http://127.0.0.1:%d", admin)
	}
	conf := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(conf, []byte(caddyfile(dir, upstream, ports, traced, admin)), 0o644); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "run", "--config", conf, "--adapter", "caddyfile")
	s.cmd.Dir = dir
	s.cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	if err := s.run(); err != nil {
		return nil, fmt.Errorf("caddy: %w", err)
	}
	return s, nil
}

// workerdConfig is the configuration of workerd: worker.js twice, with
// MODE rewrite and plain, each on a socket of its own, both proxying the
// upstream through a service binding.
func workerdConfig(upstream string, rewritePort, plainPort int) string {
	worker := func(mode string) string {
		return fmt.Sprintf(`(modules = [(name = "worker.js", esModule = embed "worker.js")], compatibilityDate = "2025-06-01", `+
			`bindings = [(name = "UPSTREAM", service = "upstream"), (name = "MODE", text = %q)])`, mode)
	}
	return fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "rewrite", worker = %s),
    (name = "plain", worker = %s),
    (name = "upstream", external = (address = %q, http = ())),
  ],
  sockets = [
    (name = "rewrite", address = "127.0.0.1:%d", http = (), service = "rewrite"),
    (name = "plain", address = "127.0.0.1:%d", http = (), service = "plain"),
  ],
);
`, worker("rewrite"), worker("plain"), upstream, rewritePort, plainPort)
}

// startWorkerd runs workerd with workerdConfig. Both workers live in one
// process, so that they share its CPU time: the benchmarks measure each
// around its own requests.
func startWorkerd(bin, upstream string) (plain, rewrite *stack, err error) {
	dir, err := os.MkdirTemp("", "tracemeta-proxy-workerd-")
	if err != nil {
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	src, err := os.ReadFile(filepath.Join("..", "workerd", "worker.js"))
	if err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "worker.js"), src, 0o644); err != nil {
		return nil, nil, err
	}
	rp, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	pp, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	conf := filepath.Join(dir, "config.capnp")
	if err := os.WriteFile(conf, []byte(workerdConfig(upstream, rp, pp)), 0o644); err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, "serve", conf)
	cmd.Dir = dir
	rewriteURL, plainURL := fmt.Sprintf("http://127.0.0.1:%d", rp), fmt.Sprintf("http://127.0.0.1:%d", pp)
	// One process behind both: start it once, and wait for both sockets.
	both := &stack{cmd: cmd, dir: dir, sites: map[string]string{"rewrite": rewriteURL, "plain": plainURL}}
	if err := both.run(); err != nil {
		return nil, nil, fmt.Errorf("workerd: %w", err)
	}
	rewrite = &stack{cmd: cmd, dir: dir, sites: map[string]string{"none": rewriteURL}}
	plain = &stack{cmd: cmd, dir: dir, sites: map[string]string{"none": plainURL}}
	return plain, rewrite, nil
}

// run starts s's process, registers its end, and waits until every site
// answers.
func (s *stack) run() error {
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(exited) }()
	cleanups = append(cleanups, func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-exited
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, base := range s.sites {
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+codingIdentity+"/2K", nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				break
			}
			select {
			case <-exited:
				return fmt.Errorf("exited before serving: %s", out.Bytes())
			case <-ctx.Done():
				return fmt.Errorf("%s did not answer within a minute: %w\n%s", base, err, out.Bytes())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// cpu returns the CPU time the process has used so far, user and system,
// all its threads: the sum of the nanosecond run times of
// /proc/PID/task/*/schedstat, or, without schedstats, utime + stime of
// /proc/PID/stat (in clock ticks, 10 ms).
func (s *stack) cpu() (time.Duration, error) {
	pid := s.cmd.Process.Pid
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	ok := len(tasks) > 0
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			ok = false
			break
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			ok = false
			break
		}
		sum += time.Duration(ns)
	}
	if ok && sum > 0 {
		return sum, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("CPU time of %d: %w", pid, err)
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14 and stime 15.
	rest := string(b[bytes.LastIndexByte(b, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("CPU time of %d: short /proc/PID/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("CPU time of %d: %w", pid, err)
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

// syscalls returns the read and write system calls the process has made
// so far (syscr and syscw of /proc/PID/io): a proxy that sends a response
// in more pieces shows it here.
func (s *stack) syscalls() (reads, writes int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("system calls of %d: %w", s.cmd.Process.Pid, err)
	}
	var found int
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "syscr":
			dst = &reads
		case "syscw":
			dst = &writes
		default:
			continue
		}
		if *dst, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return 0, 0, fmt.Errorf("system calls of %d: %w", s.cmd.Process.Pid, err)
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("system calls of %d: no syscr and syscw in /proc/PID/io", s.cmd.Process.Pid)
	}
	return reads, writes, nil
}
