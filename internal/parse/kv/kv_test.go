package kv

import (
	"errors"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := New().Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	f(`a=1`, `{"a":1}`)
	f(`a=1 b=two c=1.5 d=true e=10.0.0.1 f=007 g=-3 h=fe80::1`, `{"a":1,"b":"two","c":1.5,"d":true,"e":"10.0.0.1","f":"007","g":-3,"h":"fe80::1"}`)
	f(`msg="Policy \"web\" matched" path='C:\\tmp\\x' q="a\tb\qc"`, `{"msg":"Policy \"web\" matched","path":"C:\\tmp\\x","q":"a\tb\\qc"}`)
	f(`k1=v1,k2=v2;k3=v3, k4=v4 ; k5=v5`, `{"k1":"v1","k2":"v2","k3":"v3","k4":"v4","k5":"v5"}`)
	f(`tags=a,b,c list=x;y k=v`, `{"tags":"a,b,c","list":"x;y","k":"v"}`)
	f("a=1\tb=2", `{"a":1,"b":2}`)
	f(`empty= quoted="" next=1`, `{"empty":"","quoted":"","next":1}`)
	f(`source.ip=10.1.1.1 dst-port=443 @x=1 a_b.c-d=x`, `{"source.ip":"10.1.1.1","dst-port":443,"@x":1,"a_b.c-d":"x"}`)
	f(`user=a user=b user=c`, `{"user":["a","b","c"]}`)
	// Text that is not a pair is the message.
	f(`authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4  user=root`,
		`{"message":"authentication failure;","logname":"","uid":0,"euid":0,"tty":"NODEVssh","ruser":"","rhost":"218.188.2.4","user":"root"}`)
	f(`connection from a=1 closed by b=2 peer`, `{"message":"connection from closed by peer","a":1,"b":2}`)
	f(`hello   world a=1`, `{"message":"hello   world","a":1}`)
	f(`text message=given a=1`, `{"kv.text":"text","message":"given","a":1}`)
	// Envelope names are protected.
	f(`event.id=x vigil.tenant=evil @timestamp=now event.code=4625`, `{"kv.event.id":"x","kv.vigil.tenant":"evil","kv.@timestamp":"now","event.code":4625}`)
	// Unclosed quotes and odd spacing.
	f(`a="open b=2`, `{"a":"\"open","b":2}`)
	f(` a=1 `+"\r\n", `{"a":1}`)
	f(`url=http://x/?a=b&c=d k=v`, `{"url":"http://x/?a=b&c=d","k":"v"}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			err := New().Parse([]byte(in), e)
			if err == nil {
				t.Fatalf("no error; fields %s", parsetest.Render(e))
			}
			if !errors.Is(err, formaterr.ErrFormat) || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	f(``, `kv: record at 0: no key=value pairs`)
	f(`just some text`, `kv: record at 0: no key=value pairs`)
	f(`=value http://x=y`, `kv: record at 0: no key=value pairs`)
}
