// Command gospiffeoracle answers, one JSON line at a time, what go-spiffe v2
// decides about SPIFFE IDs, SVIDs and bundles, so that spiffe4j's
// differential tests can compare their verdicts with the reference
// implementation's.
//
// Protocol (JSON Lines): one request object per stdin line, exactly one
// response object per stdout line, in order, flushed per line. A response
// always has "ok"; when ok is false it has "error", the go-spiffe error text.
// A request the oracle cannot run (bad JSON, unknown op, missing or unknown
// field, bad base64) gets "protocol_error": true, so callers can tell oracle
// misuse from verdicts. Binary values are standard base64 with padding.
package main

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/bundle/spiffebundle"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

const goSpiffeModule = "github.com/spiffe/go-spiffe/v2"

// request holds the fields of every op; each op reads only the ones it
// declares in its table entry, and the dispatcher has already checked that
// exactly those are present.
type request struct {
	Op          string   `json:"op"`
	Input       string   `json:"input"`
	TrustDomain string   `json:"trust_domain"`
	Segments    []string `json:"segments"`
	Path        string   `json:"path"`
	Chain       [][]byte `json:"chain"`
	Authorities [][]byte `json:"authorities"`
	Now         int64    `json:"now"`
	Key         []byte   `json:"key"`
	Token       string   `json:"token"`
	JWKS        string   `json:"jwks"`
	Audience    []string `json:"audience"`
	Format      string   `json:"format"`
	Data        []byte   `json:"data"`
}

// result holds the fields an op adds to an ok response.
type result map[string]any

type op struct {
	fields []string // every one required, no others allowed
	run    func(*request) (result, error)
}

var ops = map[string]op{
	"version":            {nil, version},
	"id_parse":           {[]string{"input"}, idParse},
	"td_parse":           {[]string{"input"}, trustDomainParse},
	"id_from_segments":   {[]string{"trust_domain", "segments"}, idFromSegments},
	"id_from_path":       {[]string{"trust_domain", "path"}, idFromPath},
	"x509_verify":        {[]string{"chain", "trust_domain", "authorities", "now"}, x509Verify},
	"x509_parse":         {[]string{"chain", "key"}, x509Parse},
	"jwt_validate":       {[]string{"token", "trust_domain", "jwks", "audience"}, jwtValidate},
	"jwt_parse_insecure": {[]string{"token", "audience"}, jwtParseInsecure},
	"bundle_parse":       {[]string{"format", "trust_domain", "data"}, bundleParse},
}

// protocolError marks a request the oracle cannot answer, as opposed to a
// go-spiffe verdict.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return "oracle: " + e.msg }

func protocolErrorf(format string, args ...any) error {
	return &protocolError{fmt.Sprintf(format, args...)}
}

func version(*request) (result, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, protocolErrorf("binary has no build info")
	}
	for _, dep := range info.Deps {
		if dep.Path == goSpiffeModule {
			return result{"go_version": runtime.Version(), "go_spiffe_version": dep.Version}, nil
		}
	}
	return nil, protocolErrorf("%s is not in the build info", goSpiffeModule)
}

func idParse(r *request) (result, error) {
	id, err := spiffeid.FromString(r.Input)
	if err != nil {
		return nil, err
	}
	return result{"spiffe_id": id.String(), "trust_domain": id.TrustDomain().Name(), "path": id.Path()}, nil
}

func trustDomainParse(r *request) (result, error) {
	td, err := spiffeid.TrustDomainFromString(r.Input)
	if err != nil {
		return nil, err
	}
	return result{"trust_domain": td.Name()}, nil
}

func idFromSegments(r *request) (result, error) {
	td, err := spiffeid.TrustDomainFromString(r.TrustDomain)
	if err != nil {
		return nil, err
	}
	id, err := spiffeid.FromSegments(td, r.Segments...)
	if err != nil {
		return nil, err
	}
	return result{"spiffe_id": id.String()}, nil
}

func idFromPath(r *request) (result, error) {
	td, err := spiffeid.TrustDomainFromString(r.TrustDomain)
	if err != nil {
		return nil, err
	}
	id, err := spiffeid.FromPath(td, r.Path)
	if err != nil {
		return nil, err
	}
	return result{"spiffe_id": id.String()}, nil
}

func x509Verify(r *request) (result, error) {
	td, err := configuredTrustDomain(r)
	if err != nil {
		return nil, err
	}
	authorities := make([]*x509.Certificate, 0, len(r.Authorities))
	for _, der := range r.Authorities {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		authorities = append(authorities, cert)
	}
	bundle := x509bundle.FromX509Authorities(td, authorities)
	// ParseAndVerify parses the chain with x509.ParseCertificate, so a chain
	// certificate that does not parse is go-spiffe's verdict too.
	id, _, err := x509svid.ParseAndVerify(r.Chain, bundle, x509svid.WithTime(time.Unix(r.Now, 0)))
	if err != nil {
		return nil, err
	}
	return result{"spiffe_id": id.String()}, nil
}

func x509Parse(r *request) (result, error) {
	svid, err := x509svid.ParseRaw(bytes.Join(r.Chain, nil), r.Key)
	if err != nil {
		return nil, err
	}
	return result{"spiffe_id": svid.ID.String()}, nil
}

func jwtValidate(r *request) (result, error) {
	td, err := configuredTrustDomain(r)
	if err != nil {
		return nil, err
	}
	bundle, err := jwtbundle.Parse(td, []byte(r.JWKS))
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	// go-spiffe validates exp, nbf and iat against time.Now() and offers no
	// clock option, so callers must build tokens relative to the real clock.
	svid, err := jwtsvid.ParseAndValidate(r.Token, bundle, r.Audience)
	if err != nil {
		return nil, err
	}
	return jwtResult(svid), nil
}

func jwtParseInsecure(r *request) (result, error) {
	svid, err := jwtsvid.ParseInsecure(r.Token, r.Audience)
	if err != nil {
		return nil, err
	}
	return jwtResult(svid), nil
}

func jwtResult(svid *jwtsvid.SVID) result {
	// A plain, non-nil slice: jwt.Audience marshals a single value as a bare
	// string, and a token without aud would otherwise give null.
	audience := append([]string{}, svid.Audience...)
	return result{"spiffe_id": svid.ID.String(), "audience": audience, "expiry": svid.Expiry.Unix()}
}

func bundleParse(r *request) (result, error) {
	td, err := configuredTrustDomain(r)
	if err != nil {
		return nil, err
	}
	switch r.Format {
	case "spiffe":
		bundle, err := spiffebundle.Parse(td, r.Data)
		if err != nil {
			return nil, err
		}
		res := bundleCounts(len(bundle.X509Authorities()), bundle.JWTAuthorities())
		res["wit_authorities"] = len(bundle.WITAuthorities())
		if sequence, ok := bundle.SequenceNumber(); ok {
			res["sequence"] = sequence
		}
		if hint, ok := bundle.RefreshHint(); ok {
			// Reported as go-spiffe holds it: seconds times time.Second, with
			// whatever int64 overflow that implies for huge hints.
			res["refresh_hint_seconds"] = int64(hint / time.Second)
		}
		return res, nil
	case "jwks":
		bundle, err := jwtbundle.Parse(td, r.Data)
		if err != nil {
			return nil, err
		}
		return bundleCounts(0, bundle.JWTAuthorities()), nil
	case "x509_pem":
		bundle, err := x509bundle.Parse(td, r.Data)
		if err != nil {
			return nil, err
		}
		return bundleCounts(len(bundle.X509Authorities()), nil), nil
	case "x509_der":
		bundle, err := x509bundle.ParseRaw(td, r.Data)
		if err != nil {
			return nil, err
		}
		return bundleCounts(len(bundle.X509Authorities()), nil), nil
	default:
		return nil, protocolErrorf("unknown bundle format %q (want spiffe, jwks, x509_pem or x509_der)", r.Format)
	}
}

func bundleCounts(x509Authorities int, jwtAuthorities map[string]crypto.PublicKey) result {
	kids := make([]string, 0, len(jwtAuthorities))
	for kid := range jwtAuthorities {
		kids = append(kids, kid)
	}
	slices.Sort(kids)
	return result{"x509_authorities": x509Authorities, "jwt_authorities": len(kids), "jwt_kids": kids}
}

// configuredTrustDomain parses the trust domain a bundle belongs to. go-spiffe
// cannot even represent a bundle for an invalid name, so one is a test bug,
// not a verdict.
func configuredTrustDomain(r *request) (spiffeid.TrustDomain, error) {
	td, err := spiffeid.TrustDomainFromString(r.TrustDomain)
	if err != nil {
		return td, protocolErrorf("invalid trust_domain %q: %v", r.TrustDomain, err)
	}
	return td, nil
}

// decode checks that the line is an object naming a known op with exactly
// that op's fields, all non-null, then decodes it.
func decode(line []byte) (*request, op, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return nil, op{}, protocolErrorf("request is not a JSON object: %v", err)
	}
	var name string
	if err := json.Unmarshal(fields["op"], &name); err != nil {
		return nil, op{}, protocolErrorf(`request needs a string "op"`)
	}
	o, known := ops[name]
	if !known {
		return nil, op{}, protocolErrorf("unknown op %q", name)
	}
	delete(fields, "op")
	for _, f := range o.fields {
		if raw, present := fields[f]; !present || string(raw) == "null" {
			return nil, op{}, protocolErrorf("op %s needs field %q", name, f)
		}
		delete(fields, f)
	}
	for f := range fields {
		return nil, op{}, protocolErrorf("op %s does not take field %q", name, f)
	}
	var r request
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, op{}, protocolErrorf("bad field value: %v", err)
	}
	return &r, o, nil
}

func answer(line []byte) (resp result) {
	defer func() {
		// A go-spiffe panic is worth a loud failure, but the remaining
		// requests of a batch should still be answered.
		if p := recover(); p != nil {
			resp = result{"ok": false, "protocol_error": true, "error": fmt.Sprintf("oracle: go-spiffe panicked: %v", p)}
		}
	}()
	r, o, err := decode(line)
	if err == nil {
		resp, err = o.run(r)
	}
	var perr *protocolError
	switch {
	case errors.As(err, &perr):
		return result{"ok": false, "protocol_error": true, "error": err.Error()}
	case err != nil:
		return result{"ok": false, "error": err.Error()}
	}
	resp["ok"] = true
	return resp
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	enc := json.NewEncoder(out) // Encode ends each object with '\n'
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		// A blank line is a malformed request and is answered as one, so
		// responses stay one per line.
		if len(line) > 0 {
			if encErr := enc.Encode(answer(line)); encErr != nil {
				fmt.Fprintf(os.Stderr, "oracle: cannot encode response: %v\n", encErr)
				os.Exit(1)
			}
			if flushErr := out.Flush(); flushErr != nil {
				fmt.Fprintf(os.Stderr, "oracle: cannot write response: %v\n", flushErr)
				os.Exit(1)
			}
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: cannot read request: %v\n", err)
			os.Exit(1)
		}
	}
}
