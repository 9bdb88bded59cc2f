// The Tekton Hub's categories (tektoncd/hub config.yaml): `tekton.dev/categories` must use these names.
export const HUB_CATEGORIES: readonly string[] = [
  'Automation',
  'Build Tools',
  'CLI',
  'Cloud',
  'Code Quality',
  'Continuous Integration',
  'Deployment',
  'Developer Tools',
  'Image Build',
  'Integration & Delivery',
  'Git',
  'Kubernetes',
  'Messaging',
  'Monitoring',
  'Networking',
  'Openshift',
  'Publishing',
  'Security',
  'Storage',
  'Testing',
];

/** Annotations tektoncd/catalog requires on every Task. */
export const REQUIRED_ANNOTATIONS: readonly string[] = [
  'tekton.dev/pipelines.minVersion',
  'tekton.dev/categories',
  'tekton.dev/tags',
  'tekton.dev/displayName',
  'tekton.dev/platforms',
];
