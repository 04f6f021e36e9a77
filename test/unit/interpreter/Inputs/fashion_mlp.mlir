module {
  dl.model @fashion_mlp {
    dl.param @h1.W : tensor<784x256xf32> = "he_normal" {fan_in = 784 : i64, fan_out = 256 : i64}
    dl.param @h1.b : tensor<256xf32> = "zeros"
    dl.param @h2.W : tensor<256x128xf32> = "he_normal" {fan_in = 256 : i64, fan_out = 128 : i64}
    dl.param @h2.b : tensor<128xf32> = "zeros"
    dl.param @head.W : tensor<128x10xf32> = "he_normal" {fan_in = 128 : i64, fan_out = 10 : i64}
    dl.param @head.b : tensor<10xf32> = "zeros"
    func.func @forward(%arg0: tensor<128x784xf32> {dl.input = "x"}) -> (tensor<128x10xf32> {dl.output = "probs"}) {
      %0 = dl.load @h1.W : tensor<784x256xf32>
      %1 = dl.load @h1.b : tensor<256xf32>
      %2 = dl.load @h2.W : tensor<256x128xf32>
      %3 = dl.load @h2.b : tensor<128xf32>
      %4 = dl.load @head.W : tensor<128x10xf32>
      %5 = dl.load @head.b : tensor<10xf32>
      %6 = dl.matmul %arg0, %0 : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
      %7 = dl.add %6, %1 : (tensor<128x256xf32>, tensor<256xf32>) -> tensor<128x256xf32>
      %8 = dl.relu %7 : tensor<128x256xf32>
      %9 = dl.matmul %8, %2 : (tensor<128x256xf32>, tensor<256x128xf32>) -> tensor<128x128xf32>
      %10 = dl.add %9, %3 : (tensor<128x128xf32>, tensor<128xf32>) -> tensor<128x128xf32>
      %11 = dl.relu %10 : tensor<128x128xf32>
      %12 = dl.matmul %11, %4 : (tensor<128x128xf32>, tensor<128x10xf32>) -> tensor<128x10xf32>
      %13 = dl.add %12, %5 : (tensor<128x10xf32>, tensor<10xf32>) -> tensor<128x10xf32>
      %14 = dl.softmax %13 : tensor<128x10xf32>
      return %14 : tensor<128x10xf32>
    }
    func.func @eval(%arg0: tensor<128x784xf32> {dl.input = "x"}, %arg1: tensor<128xi32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "ce"}, tensor<128x10xf32> {dl.output = "probs"}) {
      %0 = dl.load @h1.W : tensor<784x256xf32>
      %1 = dl.load @h1.b : tensor<256xf32>
      %2 = dl.load @h2.W : tensor<256x128xf32>
      %3 = dl.load @h2.b : tensor<128xf32>
      %4 = dl.load @head.W : tensor<128x10xf32>
      %5 = dl.load @head.b : tensor<10xf32>
      %6 = dl.matmul %arg0, %0 : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
      %7 = dl.add %6, %1 : (tensor<128x256xf32>, tensor<256xf32>) -> tensor<128x256xf32>
      %8 = dl.relu %7 : tensor<128x256xf32>
      %9 = dl.matmul %8, %2 : (tensor<128x256xf32>, tensor<256x128xf32>) -> tensor<128x128xf32>
      %10 = dl.add %9, %3 : (tensor<128x128xf32>, tensor<128xf32>) -> tensor<128x128xf32>
      %11 = dl.relu %10 : tensor<128x128xf32>
      %12 = dl.matmul %11, %4 : (tensor<128x128xf32>, tensor<128x10xf32>) -> tensor<128x10xf32>
      %13 = dl.add %12, %5 : (tensor<128x10xf32>, tensor<10xf32>) -> tensor<128x10xf32>
      %14 = dl.softmax %13 : tensor<128x10xf32>
      %15 = dl.cross_entropy %13, %arg1 : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
      return %15, %14 : tensor<f32>, tensor<128x10xf32>
    }
    func.func @train_step.loss(%arg0: tensor<128x784xf32> {dl.input = "x"}, %arg1: tensor<128xi32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "train_step"}) {
      %0 = dl.load @h1.W : tensor<784x256xf32>
      %1 = dl.load @h1.b : tensor<256xf32>
      %2 = dl.load @h2.W : tensor<256x128xf32>
      %3 = dl.load @h2.b : tensor<128xf32>
      %4 = dl.load @head.W : tensor<128x10xf32>
      %5 = dl.load @head.b : tensor<10xf32>
      %6 = dl.matmul %arg0, %0 : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
      %7 = dl.add %6, %1 : (tensor<128x256xf32>, tensor<256xf32>) -> tensor<128x256xf32>
      %8 = dl.relu %7 : tensor<128x256xf32>
      %9 = dl.dropout %8 {p = 2.000000e-01 : f64, stream = 0 : i64} : tensor<128x256xf32>
      %10 = dl.matmul %9, %2 : (tensor<128x256xf32>, tensor<256x128xf32>) -> tensor<128x128xf32>
      %11 = dl.add %10, %3 : (tensor<128x128xf32>, tensor<128xf32>) -> tensor<128x128xf32>
      %12 = dl.relu %11 : tensor<128x128xf32>
      %13 = dl.dropout %12 {p = 2.000000e-01 : f64, stream = 1 : i64} : tensor<128x128xf32>
      %14 = dl.matmul %13, %4 : (tensor<128x128xf32>, tensor<128x10xf32>) -> tensor<128x10xf32>
      %15 = dl.add %14, %5 : (tensor<128x10xf32>, tensor<10xf32>) -> tensor<128x10xf32>
      %16 = dl.cross_entropy %15, %arg1 : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
      return %16 : tensor<f32>
    }
    dl.train @train_step loss @train_step.loss params [@h1.W, @h1.b, @h2.W, @h2.b, @head.W, @head.b] optimizer "adam" {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64} weight_decay 0.000000e+00 schedule "constant" {}
  }
}
