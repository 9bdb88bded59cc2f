// Command triggers-sim runs webhook events through rendered Tekton Triggers objects the way an
// EventListener's sink does (tektoncd/triggers v0.37 pkg/sink: interceptor chain, extensions merge,
// ResolveTrigger, ResolveParams, ResolveResources), with the real core interceptors (github, gitlab,
// cel) called in process instead of over HTTP, and Secrets from the input instead of the cluster. A
// NamespacedInterceptor (HAT's webhook verifier) is called over HTTP at the URL the input gives for it, with
// Triggers' own interceptors.Execute, as the sink does; an answer other than 200 stops the event as it does there.
// HAT's pipeline-chart tests use it to check the chart's interceptors, CEL rules and bindings.
//
// Input (stdin, JSON): {"manifests": "<multi-document YAML>", "namespace": "ns",
//
//	"secrets": {"<name>": {"<key>": "<value>"}}, "interceptorUrls": {"<Interceptor name>": "http://…"},
//	"events": [{"name": "…", "header": {"X-GitHub-Event": ["push"]}, "body": "<raw JSON text>"}]}
//
// Output (stdout, JSON): [{"name", "accepted", "rejectedBy", "status", "extensions", "params", "resources"}]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	triggersconfig "github.com/tektoncd/triggers/pkg/apis/config"
	"github.com/tektoncd/triggers/pkg/apis/triggers/contexts"
	triggersv1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	"github.com/tektoncd/triggers/pkg/interceptors"
	"github.com/tektoncd/triggers/pkg/interceptors/cel"
	"github.com/tektoncd/triggers/pkg/interceptors/github"
	"github.com/tektoncd/triggers/pkg/interceptors/gitlab"
	"github.com/tektoncd/triggers/pkg/template"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type event struct {
	Name   string              `json:"name"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
}

type input struct {
	Manifests string                       `json:"manifests"`
	Namespace string                       `json:"namespace"`
	Secrets   map[string]map[string]string `json:"secrets"`
	Events    []event                      `json:"events"`
	// NamespacedInterceptor name → URL it listens on.
	InterceptorURLs map[string]string `json:"interceptorUrls"`
}

type outcome struct {
	Name       string            `json:"name"`
	Accepted   bool              `json:"accepted"`
	RejectedBy string            `json:"rejectedBy,omitempty"`
	Status     string            `json:"status,omitempty"`
	Extensions map[string]any    `json:"extensions,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Resources  []json.RawMessage `json:"resources,omitempty"`
}

type secrets map[string]map[string]string

func (s secrets) Get(_ context.Context, _ string, sr *triggersv1.SecretRef) ([]byte, error) {
	v, ok := s[sr.SecretName][sr.SecretKey]
	if !ok {
		return nil, fmt.Errorf("secret %s has no key %s", sr.SecretName, sr.SecretKey)
	}
	return []byte(v), nil
}

type objects struct {
	listeners map[string]*triggersv1.EventListener
	bindings  map[string]*triggersv1.TriggerBinding
	templates map[string]*triggersv1.TriggerTemplate
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "triggers-sim: %v\n", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	var inp input
	if err := json.NewDecoder(in).Decode(&inp); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	objs, err := load(inp.Manifests)
	if err != nil {
		return err
	}
	if len(objs.listeners) != 1 {
		return fmt.Errorf("expected one EventListener, found %d", len(objs.listeners))
	}
	var el *triggersv1.EventListener
	for _, l := range objs.listeners {
		el = l
	}
	results := []outcome{}
	for _, ev := range inp.Events {
		o, err := process(el, objs, inp.Namespace, secrets(inp.Secrets), inp.InterceptorURLs, ev)
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.Name, err)
		}
		results = append(results, o...)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

func load(manifests string) (*objects, error) {
	objs := &objects{map[string]*triggersv1.EventListener{}, map[string]*triggersv1.TriggerBinding{}, map[string]*triggersv1.TriggerTemplate{}}
	ctx := contexts.WithUpgradeViaDefaulting(triggersconfig.ToContext(context.Background(), triggersconfig.FromContextOrDefaults(context.Background())))
	for _, doc := range strings.Split("\n"+manifests, "\n---") {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, err
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(j, &head); err != nil || head.APIVersion != "triggers.tekton.dev/v1beta1" {
			continue
		}
		strict := func(v any) error {
			dec := json.NewDecoder(bytes.NewReader(j))
			dec.DisallowUnknownFields()
			return dec.Decode(v)
		}
		switch head.Kind {
		case "EventListener":
			var o triggersv1.EventListener
			if err := strict(&o); err != nil {
				return nil, err
			}
			o.SetDefaults(ctx)
			objs.listeners[o.Name] = &o
		case "TriggerBinding":
			var o triggersv1.TriggerBinding
			if err := strict(&o); err != nil {
				return nil, err
			}
			o.SetDefaults(ctx)
			objs.bindings[o.Name] = &o
		case "TriggerTemplate":
			var o triggersv1.TriggerTemplate
			if err := strict(&o); err != nil {
				return nil, err
			}
			o.SetDefaults(ctx)
			objs.templates[o.Name] = &o
		}
	}
	return objs, nil
}

func interceptorFor(name string, sg interceptors.SecretGetter) (triggersv1.InterceptorInterface, error) {
	switch name {
	case "github":
		return github.NewInterceptor(sg), nil
	case "gitlab":
		return gitlab.NewInterceptor(sg), nil
	case "cel":
		return cel.NewInterceptor(sg), nil
	}
	return nil, fmt.Errorf("interceptor %q is not simulated", name)
}

// process mirrors pkg/sink Sink.merge + processTrigger + ExecuteInterceptors for one event.
func process(el *triggersv1.EventListener, objs *objects, ns string, sg secrets, urls map[string]string, ev event) ([]outcome, error) {
	var outs []outcome
	header := http.Header{}
	for k, vs := range ev.Header {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for _, t := range el.Spec.Triggers {
		if t.Template == nil {
			return nil, errors.New("only triggers with an inline template ref are simulated")
		}
		trig := triggersv1.Trigger{
			ObjectMeta: metav1.ObjectMeta{Name: t.Name, Namespace: ns},
			Spec: triggersv1.TriggerSpec{
				ServiceAccountName: t.ServiceAccountName,
				Bindings:           t.Bindings,
				Template:           *t.Template,
				Interceptors:       t.Interceptors,
			},
		}
		o := outcome{Name: ev.Name}
		request := triggersv1.InterceptorRequest{
			Body:       ev.Body,
			Header:     header.Clone(),
			Extensions: map[string]any{},
			Context: &triggersv1.TriggerContext{
				EventURL:  "http://el-listener." + ns + ".svc:8080/",
				EventID:   "x7k2q",
				TriggerID: fmt.Sprintf("namespaces/%s/triggers/%s", ns, t.Name),
			},
		}
		rejected := false
		for idx, i := range trig.Spec.Interceptors {
			if i.Webhook != nil {
				return nil, errors.New("webhook interceptors are not simulated")
			}
			request.InterceptorParams = interceptors.GetInterceptorParams(i)
			// The sink sends the request to the interceptor over HTTP as JSON: do the same round trip.
			wire, err := json.Marshal(request)
			if err != nil {
				return nil, err
			}
			var received triggersv1.InterceptorRequest
			if err := json.Unmarshal(wire, &received); err != nil {
				return nil, err
			}
			var resp *triggersv1.InterceptorResponse
			if i.Ref.Kind == triggersv1.NamespacedInterceptorKind {
				url, ok := urls[i.GetName()]
				if !ok {
					return nil, fmt.Errorf("no URL given for NamespacedInterceptor %q (interceptorUrls)", i.GetName())
				}
				if resp, err = interceptors.Execute(context.Background(), http.DefaultClient, &request, url); err != nil {
					// The sink logs this error and stops the event (pkg/sink processTrigger).
					name := i.GetName()
					if i.Name != nil {
						name = *i.Name
					}
					o.RejectedBy = fmt.Sprintf("%s (interceptors[%d])", name, idx)
					o.Status = err.Error()
					rejected = true
					break
				}
			} else {
				impl, err := interceptorFor(i.GetName(), sg)
				if err != nil {
					return nil, err
				}
				resp = impl.Process(context.Background(), &received)
			}
			if !resp.Continue {
				name := i.GetName()
				if i.Name != nil {
					name = *i.Name
				}
				o.RejectedBy = fmt.Sprintf("%s (interceptors[%d])", name, idx)
				o.Status = resp.Status.Message
				rejected = true
				break
			}
			for k, v := range resp.Extensions {
				request.Extensions[k] = v
			}
			request.InterceptorParams = map[string]any{}
		}
		if rejected {
			outs = append(outs, o)
			continue
		}
		rt, err := template.ResolveTrigger(trig,
			func(name string) (*triggersv1.TriggerBinding, error) {
				if b, ok := objs.bindings[name]; ok {
					return b, nil
				}
				return nil, fmt.Errorf("TriggerBinding %s not found", name)
			},
			func(name string) (*triggersv1.ClusterTriggerBinding, error) {
				return nil, fmt.Errorf("ClusterTriggerBinding %s not found", name)
			},
			func(name string) (*triggersv1.TriggerTemplate, error) {
				if tt, ok := objs.templates[name]; ok {
					return tt, nil
				}
				return nil, fmt.Errorf("TriggerTemplate %s not found", name)
			})
		if err != nil {
			return nil, err
		}
		params, err := template.ResolveParams(rt, []byte(request.Body), request.Header, request.Extensions, template.NewTriggerContext("x7k2q"))
		if err != nil {
			return nil, err
		}
		o.Accepted = true
		o.Extensions = request.Extensions
		o.Params = map[string]string{}
		for _, p := range params {
			o.Params[p.Name] = p.Value
		}
		o.Resources = template.ResolveResources(rt.TriggerTemplate, params)
		outs = append(outs, o)
	}
	return outs, nil
}
