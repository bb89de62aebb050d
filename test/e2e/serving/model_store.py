"""Saves SavedModels where a trainer would upload them, then loads them from where a serving pod sees them.

Reads a JSON spec on stdin:
  {"uploads": [{"dir": <local dir standing for bucket/prefix>, "versions": [1, 2]}],
   "loads": [{"dir": <local dir standing for the pod's base_path>, "versions": [1, 2]}],
   "refuse": [<URIs plain TensorFlow must refuse>]}
Prints {"loaded": {dir/version: output}, "refused": {uri: error}, "schemes": [...]} as JSON.
"""
import json
import os
import sys

import tensorflow as tf

spec = json.load(sys.stdin)


class Scaler(tf.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = tf.Variable(float(factor))

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def serve(self, x):
        return {"y": tf.reduce_sum(x, axis=1) * self.factor}


for upload in spec["uploads"]:
    for version in upload["versions"]:
        module = Scaler(version)
        # TF Serving's layout: one integer directory per version under the base path.
        tf.saved_model.save(module, os.path.join(upload["dir"], str(version)), signatures={"serving_default": module.serve})

loaded = {}
for load in spec["loads"]:
    found = sorted(int(d) for d in os.listdir(load["dir"]) if d.isdigit())
    for version in load["versions"]:
        path = os.path.join(load["dir"], str(version))
        model = tf.saved_model.load(path)
        y = model.signatures["serving_default"](tf.constant([[1.0, 2.0]]))["y"].numpy().tolist()
        loaded[path] = {"y": y, "versions_found": found}

refused = {}
for uri in spec["refuse"]:
    try:
        tf.saved_model.load(uri)
        refused[uri] = None
    except tf.errors.OpError as error:
        refused[uri] = f"{type(error).__name__}: {str(error).splitlines()[0]}"

get_schemes = getattr(tf.io.gfile, "get_registered_schemes", None)
print(json.dumps({"loaded": loaded, "refused": refused, "schemes": sorted(get_schemes()) if get_schemes else None}))
