module github.com/fbverify/fbverify/testdata/bench/size/fbverify

go 1.25.0

require github.com/fbverify/fbverify v0.0.0

require (
	filippo.io/bigmod v0.1.0 // indirect
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/sys v0.11.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/fbverify/fbverify => ../../../..
