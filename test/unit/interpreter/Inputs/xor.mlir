module {
  dl.model @xor {
    dl.param @hidden.W : tensor<2x8xf32> = "xavier_normal" {fan_in = 2 : i64, fan_out = 8 : i64, gain = 1.000000e+00 : f64}
    dl.param @hidden.b : tensor<8xf32> = "zeros"
    dl.param @out.W : tensor<8x1xf32> = "he_normal" {fan_in = 8 : i64, fan_out = 1 : i64}
    dl.param @out.b : tensor<1xf32> = "zeros"
    func.func @forward(%arg0: tensor<4x2xf32> {dl.input = "x"}) -> (tensor<4x1xf32> {dl.output = "p"}) {
      %0 = dl.load @hidden.W : tensor<2x8xf32>
      %1 = dl.load @hidden.b : tensor<8xf32>
      %2 = dl.load @out.W : tensor<8x1xf32>
      %3 = dl.load @out.b : tensor<1xf32>
      %4 = dl.matmul %arg0, %0 : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
      %5 = dl.add %4, %1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
      %6 = dl.tanh %5 : tensor<4x8xf32>
      %7 = dl.matmul %6, %2 : (tensor<4x8xf32>, tensor<8x1xf32>) -> tensor<4x1xf32>
      %8 = dl.add %7, %3 : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
      %9 = dl.sigmoid %8 : tensor<4x1xf32>
      return %9 : tensor<4x1xf32>
    }
    func.func @eval(%arg0: tensor<4x2xf32> {dl.input = "x"}, %arg1: tensor<4x1xf32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "l"}, tensor<4x1xf32> {dl.output = "p"}) {
      %0 = dl.load @hidden.W : tensor<2x8xf32>
      %1 = dl.load @hidden.b : tensor<8xf32>
      %2 = dl.load @out.W : tensor<8x1xf32>
      %3 = dl.load @out.b : tensor<1xf32>
      %4 = dl.matmul %arg0, %0 : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
      %5 = dl.add %4, %1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
      %6 = dl.tanh %5 : tensor<4x8xf32>
      %7 = dl.matmul %6, %2 : (tensor<4x8xf32>, tensor<8x1xf32>) -> tensor<4x1xf32>
      %8 = dl.add %7, %3 : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
      %9 = dl.sigmoid %8 : tensor<4x1xf32>
      %10 = dl.bce %9, %arg1 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
      return %10, %9 : tensor<f32>, tensor<4x1xf32>
    }
    func.func @train_step.loss(%arg0: tensor<4x2xf32> {dl.input = "x"}, %arg1: tensor<4x1xf32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "train_step"}) {
      %0 = dl.load @hidden.W : tensor<2x8xf32>
      %1 = dl.load @hidden.b : tensor<8xf32>
      %2 = dl.load @out.W : tensor<8x1xf32>
      %3 = dl.load @out.b : tensor<1xf32>
      %4 = dl.matmul %arg0, %0 : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
      %5 = dl.add %4, %1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
      %6 = dl.tanh %5 : tensor<4x8xf32>
      %7 = dl.matmul %6, %2 : (tensor<4x8xf32>, tensor<8x1xf32>) -> tensor<4x1xf32>
      %8 = dl.add %7, %3 : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xf32>
      %9 = dl.sigmoid %8 : tensor<4x1xf32>
      %10 = dl.bce %9, %arg1 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
      return %10 : tensor<f32>
    }
    dl.train @train_step loss @train_step.loss params [@hidden.W, @hidden.b, @out.W, @out.b] optimizer "sgd" {lr = 5.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = false} weight_decay 0.000000e+00 schedule "constant" {}
  }
}
