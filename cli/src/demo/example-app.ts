// The demo's example app: a tiny web service (busybox httpd serving a page), its Dockerfile, its Helm chart
// and its pipeline values. Written into a fresh repo by `hat demo`; nothing to configure.

export interface ExampleApp {
  readonly name: string;
  readonly imageRepository: string;
  readonly chartRepository: string;
  readonly gitUrl: string;
}

const chartYaml = (name: string) => `apiVersion: v2
name: ${name}
description: "The ${name} web service (the pipeline sets its version: chart version = image tag = service version)"
type: application
version: 0.0.0
appVersion: "0.0.0"
`;

const valuesYaml = (repo: string) => `replicaCount: 1
image:
  repository: ${repo}
  tag: ""
  pullPolicy: IfNotPresent
# Secrets of type kubernetes.io/dockerconfigjson in the release's namespace, for a registry that needs a login.
imagePullSecrets: []
service:
  type: ClusterIP
  port: 80
message: Hello from HAT
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            - name: MESSAGE
              value: {{ .Values.message | quote }}
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  type: {{ .Values.service.type }}
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
`;

const dockerfile = `# A tiny web service: busybox's httpd serving www/. FROM scratch, so it builds without any base image.
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY www/ /www/
# The pipeline passes the service version as a build argument: the image serves it at /version.
ARG VERSION=0.0.0-dev
RUN echo "$VERSION" > /www/version
USER 65532
EXPOSE 8080
ENTRYPOINT ["/bin/httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
`;

const testScript = `#!/bin/sh
# The app's tests (run by the pipeline's tests step): the page and the health check are there and say what they should.
set -eu
grep -q '<h1>' www/index.html
test "$(cat www/healthz)" = ok
echo "tests passed: 2 passed, 0 failed"
`;

/** Pipeline values for charts/pipeline: the four required values plus the demo's local choices. */
const pipelineValues = (a: ExampleApp) => `# The app's pipeline (charts/pipeline). Four values are required: app.name, git.url, image.repository, chart.repository.
app:
  name: ${a.name}
git:
  url: ${a.gitUrl}
image:
  repository: ${a.imageRepository}
chart:
  path: chart
  repository: ${a.chartRepository}
tests:
  enabled: true
  image: docker.io/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662
  command: ["sh", "test.sh"]
registry:
  insecure: true
`;

export function exampleAppFiles(a: ExampleApp, version: { page: string }): Record<string, string> {
  return {
    'README.md': `# ${a.name}\n\nExample service for the HAT demo: a page served by busybox httpd.\n`,
    Dockerfile: dockerfile,
    'www/index.html': `<!doctype html>\n<h1>${a.name}</h1>\n<p>${version.page}</p>\n`,
    'www/healthz': 'ok\n',
    'test.sh': testScript,
    'chart/Chart.yaml': chartYaml(a.name),
    'chart/values.yaml': valuesYaml(a.imageRepository),
    'chart/templates/deployment.yaml': deployment,
    'chart/templates/service.yaml': service,
    '.hat/pipeline-values.yaml': pipelineValues(a),
  };
}
