"""softmax_mlp: ``softmax_classifier`` (notebook ``softmax``) and the MLP layer library (notebook ``mlp``)."""
from autograde.student.spec import Assignment, calls

SPEC = Assignment(
    "softmax_mlp",
    student_files=("softmax_classifier.py", "layers/fc_layer.py", "layers/relu_layer.py", "layers/sigmoid_layer.py",
                   "criterion/euclidean_loss.py", "criterion/softmax_cross_entropy.py", "optimizer.py"),
    provided_files=("softmax_training.py", "layers/__init__.py", "criterion/__init__.py", "network.py",
                    "mlp_training.py"),
    notebooks=("softmax", "mlp"),
    calls=calls(("softmax_classifier(W, input, label, lamda)", "label one-hot (N, C)"),
                "FCLayer(num_input, num_output, actFunction='relu', trainable=True)", "FCLayer.forward(Input)",
                "FCLayer.backward(delta)", "FCLayer.XavierInit()", "ReLULayer()", "ReLULayer.forward(Input)",
                "ReLULayer.backward(delta)", "SigmoidLayer()", "SigmoidLayer.forward(Input)",
                "SigmoidLayer.backward(delta)", "EuclideanLossLayer()", "EuclideanLossLayer.forward(logit, gt)",
                "EuclideanLossLayer.backward()", "SoftmaxCrossEntropyLossLayer()",
                "SoftmaxCrossEntropyLossLayer.forward(logit, gt)", "SoftmaxCrossEntropyLossLayer.backward()",
                "SGD(learningRate, weightDecay)", "SGD.step(model)"),
)
