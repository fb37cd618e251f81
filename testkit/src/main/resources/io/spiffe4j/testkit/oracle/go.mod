// The go-spiffe oracle for spiffe4j's differential tests. It is its own module
// so that no other dependency can move go-spiffe off v2.9.0.
module spiffe4j.io/gospiffeoracle

// The go directive also fixes the GODEBUG defaults (crypto/x509, crypto/rsa)
// that go-spiffe's verdicts depend on: these are Go 1.26's.
go 1.26.0

require github.com/spiffe/go-spiffe/v2 v2.9.0

require github.com/go-jose/go-jose/v4 v4.1.5 // indirect
