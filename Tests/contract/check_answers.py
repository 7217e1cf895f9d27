"""Every operation of openapi.yaml answered for real and its answer checked against the document.

Schemathesis (scripts/schemathesis.sh) fuzzes every operation, but random ids mostly meet 404s; this walks
the API as a user does (a model, an API and its keys, predictions on the three data planes, users, tokens,
Prediction One's developer API, and with a container engine the deployment API), checks each answer
(success or refusal) against its schema, and fails unless every operation with a JSON answer in the document
answered with success at least once.

    python check_answers.py BINARY      (SIBYL_TEST_ENGINE: the container engine for the deployment routes)
"""
import atexit, base64, json, os, socket, subprocess, sys, tempfile, time, urllib.request
import jsonschema_rs, yaml

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
doc = yaml.safe_load(open(os.path.join(root, 'openapi.yaml')))
engine = os.environ.get('SIBYL_TEST_ENGINE')
sock = socket.socket(); sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]; sock.close()
tmp = tempfile.mkdtemp()
env = dict(os.environ, SIBYL_BCRYPT_COST='4', SIBYL_ADMIN_TOKEN='tok-0123456789abcdefghij', SIBYL_ADMIN_PASSWORD='pw')
node = subprocess.Popen([sys.argv[1], 'serve', '--port', str(port), '--data', tmp + '/data'] + (['--container-engine', engine] if engine else []), env=env, stdout=open(tmp + '/log', 'w'), stderr=subprocess.STDOUT)
atexit.register(node.terminate)
B = f'http://127.0.0.1:{port}'
for _ in range(100):
    try: urllib.request.urlopen(B + '/readyz'); break
    except Exception: time.sleep(0.1)
checked = []; failures = []
def call(method, path, template, body=None, headers=None, raw=None, expect=None):
    h = {'Authorization': 'apikey tok-0123456789abcdefghij'}
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if body is not None: h['Content-Type'] = 'application/json'
    req = urllib.request.Request(B + path, data=data, method=method, headers=h)
    try: r = urllib.request.urlopen(req); status, text, ctype = r.status, r.read(), r.headers.get('Content-Type', '')
    except urllib.error.HTTPError as e: status, text, ctype = e.code, e.read(), e.headers.get('Content-Type', '')
    op = doc['paths'][template][method.lower()]
    resp = op['responses'].get(str(status)) or op['responses']['default']
    if '$ref' in resp: resp = doc['components']['responses'][resp['$ref'].split('/')[-1]]
    answer = json.loads(text) if text and 'json' in ctype else None
    if 'content' in resp and answer is not None:
        schema = dict(resp['content']['application/json']['schema']); schema['components'] = doc['components']
        errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(answer)]
        if errors: failures.append((method, path, status, errors[:3], text[:300]))
    checked.append((method, template, status))
    if expect and status != expect: failures.append((method, path, status, 'unexpected status', text[:300]))
    return answer
P = '/api/v1/projects/{project_id}'
model = call('POST', '/api/v1/projects/1/models?name=seed', P + '/models', raw=open(os.path.join(root, 'Tests/Fixtures/xgb_small_binary/model.json'), 'rb').read(), expect=201)
mid = model['model_id']
call('GET', '/api/v1/projects/1/models', P + '/models', expect=200); call('GET', f'/api/v1/projects/1/models/{mid}', P + '/models/{model_id}', expect=200)
api = call('POST', '/api/v1/projects/1/apis', P + '/apis', {'model_id': mid, 'ip_whitelist': ['127.0.0.0/8'], 'name': 'n'}, expect=202)
aid, key = api['api_id'], api['api_key']['secret']
time.sleep(1)
A = P + '/apis/{api_id}'
call('GET', f'/api/v1/projects/1/apis/{aid}', A, expect=200); call('GET', '/api/v1/projects/1/apis', P + '/apis', expect=200)
call('PATCH', f'/api/v1/projects/1/apis/{aid}', A, {'name': None}, expect=200)
call('GET', f'/api/v1/projects/1/apis/{aid}/ip_whitelist', A + '/ip_whitelist', expect=200)
call('PUT', f'/api/v1/projects/1/apis/{aid}/ip_whitelist', A + '/ip_whitelist', {'cidrs': ['127.0.0.0/8']}, expect=200)
call('POST', f'/api/v1/projects/1/apis/{aid}/ip_whitelist', A + '/ip_whitelist', {'cidr': '10.0.0.0/8', 'action': 'deny'}, expect=200)
call('DELETE', f'/api/v1/projects/1/apis/{aid}/ip_whitelist?cidr=10.0.0.0/8', A + '/ip_whitelist', expect=200)
k = call('POST', f'/api/v1/projects/1/apis/{aid}/keys', A + '/keys', {'name': 'k2'}, expect=201)
call('GET', f'/api/v1/projects/1/apis/{aid}/keys', A + '/keys', expect=200)
call('POST', f'/apis/{aid}/predict', '/apis/{api_id}/predict', {'records': [{'f0': 1}]}, headers={'X-Api-Key': key}, expect=200)
call('POST', f'/apis/{aid}/predict?explain=true', '/apis/{api_id}/predict', {'records': [{'f0': 1}]}, headers={'X-Api-Key': key}, expect=200)
call('GET', f'/v2/models/{aid}', '/v2/models/{api_id}', headers={'X-Api-Key': key}, expect=200)
call('GET', f'/v2/models/{aid}/ready', '/v2/models/{api_id}/ready', headers={'X-Api-Key': key}, expect=200)
call('POST', f'/v2/models/{aid}/infer', '/v2/models/{api_id}/infer', {'id': 'x', 'inputs': [{'name': 'input', 'datatype': 'FP32', 'shape': [1, 30], 'data': [0.5] * 30}], 'parameters': {'explain': True}}, headers={'X-Api-Key': key}, expect=200)
call('GET', '/v2', '/v2', expect=200); call('GET', '/v2/health/live', '/v2/health/live', expect=200); call('GET', '/v2/health/ready', '/v2/health/ready', expect=200)
call('GET', f'/api/v1/projects/1/apis/{aid}/usage', A + '/usage', expect=200)
for a in ['lock', 'unlock', 'stop', 'start']: call('POST', f'/api/v1/projects/1/apis/{aid}/{a}', A + '/' + a, expect=200)
for p, t in [('/api/v1/license', '/api/v1/license'), ('/api/v1/me', '/api/v1/me'), ('/api/v1/tokens', '/api/v1/tokens'), ('/api/v1/users', '/api/v1/users'), ('/api/v1/projects', '/api/v1/projects'), ('/api/v1/projects/1', P), ('/api/v1/users/1/tokens', '/api/v1/users/{user_id}/tokens'), ('/healthz', '/healthz'), ('/readyz', '/readyz'), ('/openapi.json', '/openapi.json')]:
    call('GET', p, t, expect=200)
call('PUT', '/api/v1/license', '/api/v1/license', {'api_options': 3}, expect=200)
u = call('POST', '/api/v1/users', '/api/v1/users', {'name': 'bob', 'password': 'bob-password-1', 'role': 'member'}, expect=201)
call('PATCH', f'/api/v1/users/{u["user_id"]}', '/api/v1/users/{user_id}', {'role': 'admin'}, expect=200)
call('POST', '/api/v1/tokens', '/api/v1/tokens', {'name': 'bob', 'password': 'bob-password-1'}, expect=201)
call('POST', '/api/v1/projects', '/api/v1/projects', {'name': 'second'}, expect=201)
call('PUT', '/api/v1/projects/1/members', P + '/members', {'user_ids': [1, u['user_id']]}, expect=200)
sec = call('POST', '/api/v1/projects/1/account_secrets', P + '/account_secrets', expect=201)
call('GET', '/api/v1/projects/1/account_secrets', P + '/account_secrets', expect=200)
# Prediction One
dk = call('GET', '/v1/external/api-key?credential_type=deploy', '/v1/external/api-key', headers={'x-api-key': sec['secret']}, expect=200)
x = {'x-api-key': dk['api_key']}
call('GET', '/v1/external/models', '/v1/external/models', headers=x, expect=200)
c = call('POST', '/v1/external/classifiers', '/v1/external/classifiers', {'model_id': 1, 'type': 'trial', 'rules': [{'source': '127.0.0.0/8'}]}, headers=x, expect=200)
time.sleep(1)
call('GET', '/v1/external/classifiers', '/v1/external/classifiers', headers=x, expect=200)
call('PATCH', f'/v1/external/classifiers/{c["classifier_id"]}', '/v1/external/classifiers/{classifier_id}', {'active': True}, headers=x, expect=200)
pr = base64.b64encode(('f0,f1\n1,2\n').encode()).decode()
call('POST', f'/v1/groups/1/classifiers/{c["classifier_id"]}/inference', '/v1/groups/{group_id}/classifiers/{classifier_id}/inference', {'inputs': [{'name': 'pr', 'type': 'csv', 'data': pr}, {'name': 'ar', 'type': 'boolean', 'data': True}, {'name': 'ad', 'type': 'boolean', 'data': False}, {'name': 'nc', 'type': 'boolean', 'data': False}]}, headers={'x-api-key': c['api_key']}, expect=200)
call('PATCH', f'/v1/external/classifiers/{c["classifier_id"]}', '/v1/external/classifiers/{classifier_id}', {'active': False}, headers=x, expect=200)
call('DELETE', f'/v1/external/classifiers/{c["classifier_id"]}', '/v1/external/classifiers/{classifier_id}', headers=x, expect=200)
# Deployments, with a container engine
C = '/cloud/v3/inference/{project_id}'
def deployments():
    for p, t in [('/cloud/v3/inference/flavors', '/cloud/v3/inference/flavors'), ('/cloud/v3/inference/flavors/inference-1vcpu-1gib', '/cloud/v3/inference/flavors/{flavor_name}'), ('/cloud/v3/inference/capacity', '/cloud/v3/inference/capacity'), ('/cloud/v1/regions', '/cloud/v1/regions'), ('/cloud/v1/regions/1', '/cloud/v1/regions/{region_id}')]:
        call('GET', p, t, expect=200)
    call('POST', '/cloud/v3/inference/1/api_keys', C + '/api_keys', {'name': 'dk1', 'description': 'd'}, expect=201)
    call('GET', '/cloud/v3/inference/1/api_keys', C + '/api_keys', expect=200); call('GET', '/cloud/v3/inference/1/api_keys/dk1', C + '/api_keys/{api_key_name}', expect=200)
    call('PATCH', '/cloud/v3/inference/1/api_keys/dk1', C + '/api_keys/{api_key_name}', {'description': 'e'}, expect=200)
    call('POST', '/cloud/v3/inference/1/registry_credentials', C + '/registry_credentials', {'name': 'rc1', 'username': 'u', 'password': 'p', 'registry_url': '127.0.0.1:5099'}, expect=201)
    call('GET', '/cloud/v3/inference/1/registry_credentials', C + '/registry_credentials', expect=200)
    call('GET', '/cloud/v3/inference/1/registry_credentials/rc1', C + '/registry_credentials/{credential_name}', expect=200)
    call('PUT', '/cloud/v3/inference/1/registry_credentials/rc1', C + '/registry_credentials/{credential_name}', {'username': 'u', 'password': 'p2', 'registry_url': '127.0.0.1:5099'}, expect=200)
    call('POST', '/cloud/v3/inference/1/secrets', C + '/secrets', {'name': 's1', 'type': 'aws-iam', 'data': {'aws_access_key_id': 'AKIAXXXXXXXX', 'aws_secret_access_key': 'zzz'}}, expect=201)
    call('GET', '/cloud/v3/inference/1/secrets', C + '/secrets', expect=200); call('GET', '/cloud/v3/inference/1/secrets/s1', C + '/secrets/{secret_name}', expect=200)
    call('PUT', '/cloud/v3/inference/1/secrets/s1', C + '/secrets/{secret_name}', {'type': 'aws-iam', 'data': {'aws_access_key_id': 'AKIAYYYYYYYY', 'aws_secret_access_key': 'zzz'}}, expect=200)
    spec = {'name': 'chk-echo', 'image': 'localhost/sibyl-test-echo:latest', 'listening_port': 8080, 'flavor_name': 'inference-0.5vcpu-512mib',
            'containers': [{'region_id': 1, 'scale': {'min': 1, 'max': 1}}], 'api_keys': ['dk1'], 'envs': {'A': 'b'}, 'command': ['/echo-server'],
            'probes': {'readiness_probe': {'enabled': True, 'probe': {'http_get': {'port': 8080, 'path': '/ready'}}}}}
    t = call('POST', '/cloud/v3/inference/1/deployments', C + '/deployments', spec, expect=201)
    call('GET', f'/cloud/v1/tasks/{t["tasks"][0]}', '/cloud/v1/tasks/{task_id}', expect=200)
    for _ in range(100):
        d = call('GET', '/cloud/v3/inference/1/deployments/chk-echo', C + '/deployments/{deployment_name}', expect=200)
        if d['status'] == 'ACTIVE': break
        time.sleep(0.3)
    call('GET', '/cloud/v3/inference/1/deployments', C + '/deployments', expect=200)
    call('GET', '/cloud/v1/tasks', '/cloud/v1/tasks', expect=200); call('GET', f'/cloud/v1/tasks/{t["tasks"][0]}', '/cloud/v1/tasks/{task_id}', expect=200)
    call('GET', '/cloud/v3/inference/1/deployments/chk-echo/logs', C + '/deployments/{deployment_name}/logs', expect=200)
    D = P + '/deployments/{deployment_name}'
    call('GET', '/api/v1/projects/1/deployments/chk-echo/usage', D + '/usage', expect=200)
    call('GET', '/api/v1/projects/1/deployments/chk-echo/ip_whitelist', D + '/ip_whitelist', expect=200)
    call('PUT', '/api/v1/projects/1/deployments/chk-echo/ip_whitelist', D + '/ip_whitelist', {'cidrs': ['127.0.0.0/8']}, expect=200)
    call('POST', '/api/v1/projects/1/deployments/chk-echo/ip_whitelist', D + '/ip_whitelist', {'cidr': '10.0.0.0/8'}, expect=200)
    call('DELETE', '/api/v1/projects/1/deployments/chk-echo/ip_whitelist', D + '/ip_whitelist', expect=200)
    for a in ['lock', 'unlock']: call('POST', f'/api/v1/projects/1/deployments/chk-echo/{a}', D + '/' + a, expect=200)
    call('PATCH', '/cloud/v3/inference/1/deployments/chk-echo', C + '/deployments/{deployment_name}', {'description': 'x'}, expect=200)
    call('POST', '/cloud/v3/inference/1/deployments/chk-echo/stop', C + '/deployments/{deployment_name}/stop', expect=204)
    call('DELETE', '/cloud/v3/inference/1/deployments/chk-echo', C + '/deployments/{deployment_name}', expect=200)


if engine:
    deployments()
node.terminate(); node.wait()
answered = {(m.lower(), t) for m, t, s in checked if s < 300}
wanted = {(m, t) for t, item in doc['paths'].items() for m, op in item.items() if m != 'parameters'
          and any(int(s) < 300 and 'application/json' in r.get('content', {}) for s, r in op['responses'].items() if s != 'default')
          and (engine or not t.startswith('/cloud/') and '/deployments/' not in t)}
print(f'{len(checked)} calls; {len(answered & wanted)} of {len(wanted)} operations with a JSON answer answered with success')
for f in failures: print('FAIL', *f)
for m, t in sorted(wanted - answered): print('NOT ANSWERED', m.upper(), t)
sys.exit(1 if failures or wanted - answered else 0)
