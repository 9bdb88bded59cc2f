{{/*
Helpers of the HAT pipeline chart. The environment rules (glob → CEL) are documented in README.md,
"Environment rules"; HAT's local runner implements the same rules in TypeScript.
*/}}

{{/* The app name: the name of the Pipeline, TriggerTemplate, TriggerBinding and EventListener. */}}
{{- define "hat.name" -}}
{{- .Values.app.name -}}
{{- end -}}

{{- define "hat.labels" -}}
app.kubernetes.io/name: {{ include "hat.name" . }}
app.kubernetes.io/component: pipeline
app.kubernetes.io/part-of: hat
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "hat.listenerServiceAccount" -}}
{{- .Values.serviceAccount.name | default (printf "%s-listener" (include "hat.name" .)) -}}
{{- end -}}

{{- define "hat.webhookSecret" -}}
{{- .Values.trigger.secretName | default (printf "%s-webhook" (include "hat.name" .)) -}}
{{- end -}}

{{- define "hat.webhookVerifier" -}}
{{- printf "%s-webhook-verifier" (include "hat.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Event types the listener accepts: the values, else the provider's push events. */}}
{{- define "hat.eventTypes" -}}
{{- $defaults := dict "github" (list "push") "gitlab" (list "Push Hook" "Tag Push Hook") "gitea" (list "push") -}}
{{- .Values.trigger.eventTypes | default (get $defaults .Values.trigger.provider) | toJson -}}
{{- end -}}

{{/*
A ref glob as an RE2 regex body: "." and "+" match themselves ([.] [+]), "**" matches anything, "*" matches
anything but "/". The schema admits no other regex metacharacter, quote or backslash in a glob.
*/}}
{{- define "hat.globRegex" -}}
{{- regexReplaceAll "[.+]" . "[${0}]" | replace "**" "\x00" | replace "*" "[^/]*" | replace "\x00" ".*" -}}
{{- end -}}

{{/* CEL test of body.ref against one glob; input: dict "prefix" ("refs/heads/" or "refs/tags/") "glob". */}}
{{- define "hat.refTest" -}}
{{- if contains "*" .glob -}}
body.ref.matches('^{{ .prefix }}{{ include "hat.globRegex" .glob }}$')
{{- else -}}
body.ref == '{{ .prefix }}{{ .glob }}'
{{- end -}}
{{- end -}}

{{/* The CEL tests of one environment's rules, as a JSON list of strings (branches first, then tags). */}}
{{- define "hat.envTests" -}}
{{- $tests := list -}}
{{- range (.branches | default list) -}}
{{- $tests = append $tests (include "hat.refTest" (dict "prefix" "refs/heads/" "glob" .)) -}}
{{- end -}}
{{- range (.tags | default list) -}}
{{- $tests = append $tests (include "hat.refTest" (dict "prefix" "refs/tags/" "glob" .)) -}}
{{- end -}}
{{- $tests | toJson -}}
{{- end -}}

{{/* Every rule test of every environment, in order, as a JSON list. */}}
{{- define "hat.allTests" -}}
{{- $all := list -}}
{{- range .Values.environments -}}
{{- $all = concat $all (include "hat.envTests" . | fromJsonArray) -}}
{{- end -}}
{{- $all | toJson -}}
{{- end -}}

{{/*
CEL filter of the ref interceptor: the push creates or moves a ref (deletions carry an all-zero "after") and
some environment rule matches it. Rendered one test per line.
*/}}
{{- define "hat.celFilter" -}}
{{- $tests := include "hat.allTests" . | fromJsonArray -}}
{{- if $tests -}}
!body.after.matches('^0+$') && (
  {{ join "\n  || " $tests }}
)
{{- else -}}
false
{{- end -}}
{{- end -}}

{{/* CEL overlay target_env: the name of the FIRST environment whose rule matches, '' when none does. */}}
{{- define "hat.celTargetEnv" -}}
{{- $branches := list -}}
{{- range .Values.environments -}}
{{- $tests := include "hat.envTests" . | fromJsonArray -}}
{{- if eq (len $tests) 1 -}}
{{- $branches = append $branches (printf "%s ? '%s'" (first $tests) .name) -}}
{{- else if $tests -}}
{{- $branches = append $branches (printf "(%s) ? '%s'" (join " || " $tests) .name) -}}
{{- end -}}
{{- end -}}
{{- join "\n: " (append $branches "''") -}}
{{- end -}}

{{/* CEL overlay revision: what git-clone checks out. A tag by its ref (annotated tags' "after" is the tag object), a branch by the pushed commit. */}}
{{- define "hat.celRevision" -}}
{{- if eq .Values.trigger.provider "gitlab" -}}
body.checkout_sha
{{- else -}}
body.ref.startsWith('refs/tags/') ? body.ref : body.after
{{- end -}}
{{- end -}}

{{/* The repository URL a triggered run clones, as a TriggerBinding value. */}}
{{- define "hat.bindingGitUrl" -}}
{{- $p := .Values.trigger.provider -}}
{{- if eq .Values.trigger.cloneUrl "values" -}}
{{- .Values.git.url -}}
{{- else if eq .Values.trigger.cloneUrl "payload-ssh" -}}
{{- if eq $p "gitlab" }}$(body.project.git_ssh_url){{ else }}$(body.repository.ssh_url){{ end -}}
{{- else -}}
{{- if eq $p "gitlab" }}$(body.project.git_http_url){{ else }}$(body.repository.clone_url){{ end -}}
{{- end -}}
{{- end -}}

{{/*
taskRef of a catalog Task (input: dict "root" $ "task" "<name>").
cluster: Tekton's cluster resolver, Task <task>-v<major> in catalog.namespace (default: the release namespace).
bundles: Tekton's bundles resolver, bundle <bundleRegistry>/<task>:<version>[@<digest>], Task <task> inside.
*/}}
{{- define "hat.taskRef" -}}
{{- $c := .root.Values.catalog -}}
{{- if eq $c.resolver "bundles" -}}
{{- $version := get $c.versions .task -}}
{{- if not $version -}}
{{- fail (printf "catalog.versions.%s: the bundles resolver needs the catalog version of every Task the pipeline uses" .task) -}}
{{- end -}}
{{- $digest := get $c.digests .task -}}
resolver: bundles
params:
  - name: bundle
    value: {{ printf "%s/%s:%s%s" $c.bundleRegistry .task $version (ternary (printf "@%s" $digest) "" (ne $digest "")) | quote }}
  - name: name
    value: {{ .task }}
  - name: kind
    value: task
{{- else -}}
resolver: cluster
params:
  - name: kind
    value: task
  - name: name
    value: {{ printf "%s-v%d" .task (int $c.major) }}
  - name: namespace
    value: {{ $c.namespace | default .root.Release.Namespace }}
{{- end -}}
{{- end -}}

{{/* Checks the schema cannot express; fails the render with the field's name. */}}
{{- define "hat.validate" -}}
{{- $seen := dict -}}
{{- range $i, $env := .Values.environments -}}
{{- if hasKey $seen $env.name -}}
{{- fail (printf "environments[%d].name: %q is already environments[%d]; each environment appears once" $i $env.name (get $seen $env.name)) -}}
{{- end -}}
{{- $_ := set $seen $env.name $i -}}
{{- end -}}
{{- end -}}
