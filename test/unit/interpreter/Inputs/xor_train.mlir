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
    func.func @train_step.grad(%arg0: tensor<4x2xf32> {dl.input = "x"}, %arg1: tensor<4x1xf32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "train_step"}, tensor<2x8xf32> {dl.grad = "hidden.W"}, tensor<8xf32> {dl.grad = "hidden.b"}, tensor<8x1xf32> {dl.grad = "out.W"}, tensor<1xf32> {dl.grad = "out.b"}) {
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
      %11 = dl.constant dense<1.000000e+00> : tensor<f32>
      %12 = dl.constant dense<1.000000e+00> : tensor<f32>
      %13 = dl.sub %12, %9 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %14 = dl.mul %9, %13 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %15 = dl.sub %9, %arg1 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %16 = dl.div %15, %14 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %17 = dl.constant dense<2.500000e-01> : tensor<f32>
      %18 = dl.mul %11, %17 : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %19 = dl.mul %18, %16 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %20 = dl.constant dense<1.000000e+00> : tensor<f32>
      %21 = dl.sub %20, %9 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %22 = dl.mul %9, %21 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %23 = dl.mul %19, %22 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %24 = dl.sum %23 {axes = array<i64: 0>} : (tensor<4x1xf32>) -> tensor<1xf32>
      %25 = dl.transpose %2 {perm = array<i64: 1, 0>} : (tensor<8x1xf32>) -> tensor<1x8xf32>
      %26 = dl.matmul %23, %25 : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
      %27 = dl.transpose %6 {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
      %28 = dl.matmul %27, %23 : (tensor<8x4xf32>, tensor<4x1xf32>) -> tensor<8x1xf32>
      %29 = dl.mul %6, %6 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %30 = dl.constant dense<1.000000e+00> : tensor<f32>
      %31 = dl.sub %30, %29 : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %32 = dl.mul %26, %31 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %33 = dl.sum %32 {axes = array<i64: 0>} : (tensor<4x8xf32>) -> tensor<8xf32>
      %34 = dl.transpose %arg0 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
      %35 = dl.matmul %34, %32 : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
      return %10, %35, %33, %28, %24 : tensor<f32>, tensor<2x8xf32>, tensor<8xf32>, tensor<8x1xf32>, tensor<1xf32>
    }
    func.func @train_step.update(%arg0: tensor<4x2xf32> {dl.input = "x"}, %arg1: tensor<4x1xf32> {dl.input = "y"}) -> (tensor<f32> {dl.loss = "train_step"}) {
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
      %11 = dl.constant dense<1.000000e+00> : tensor<f32>
      %12 = dl.constant dense<1.000000e+00> : tensor<f32>
      %13 = dl.sub %12, %9 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %14 = dl.mul %9, %13 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %15 = dl.sub %9, %arg1 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %16 = dl.div %15, %14 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %17 = dl.constant dense<2.500000e-01> : tensor<f32>
      %18 = dl.mul %11, %17 : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %19 = dl.mul %18, %16 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %20 = dl.constant dense<1.000000e+00> : tensor<f32>
      %21 = dl.sub %20, %9 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %22 = dl.mul %9, %21 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %23 = dl.mul %19, %22 : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
      %24 = dl.sum %23 {axes = array<i64: 0>} : (tensor<4x1xf32>) -> tensor<1xf32>
      %25 = dl.transpose %2 {perm = array<i64: 1, 0>} : (tensor<8x1xf32>) -> tensor<1x8xf32>
      %26 = dl.matmul %23, %25 : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
      %27 = dl.transpose %6 {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
      %28 = dl.matmul %27, %23 : (tensor<8x4xf32>, tensor<4x1xf32>) -> tensor<8x1xf32>
      %29 = dl.mul %6, %6 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %30 = dl.constant dense<1.000000e+00> : tensor<f32>
      %31 = dl.sub %30, %29 : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %32 = dl.mul %26, %31 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %33 = dl.sum %32 {axes = array<i64: 0>} : (tensor<4x8xf32>) -> tensor<8xf32>
      %34 = dl.transpose %arg0 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
      %35 = dl.matmul %34, %32 : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
      %36 = dl.load @train_step.count : tensor<i32>
      %37 = dl.cast %36 : (tensor<i32>) -> tensor<f32>
      %38 = dl.constant dense<1.000000e+00> : tensor<f32>
      %39 = dl.add %37, %38 : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %40 = dl.constant dense<5.000000e-01> : tensor<f32>
      %41 = dl.load @hidden.W : tensor<2x8xf32>
      %42 = dl.load @train_step.velocity.hidden.W : tensor<2x8xf32>
      %43 = dl.constant dense<0.899999976> : tensor<f32>
      %44 = dl.mul %42, %43 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
      %45 = dl.add %44, %35 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
      dl.store %45, @train_step.velocity.hidden.W : tensor<2x8xf32>
      %46 = dl.mul %45, %40 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
      %47 = dl.sub %41, %46 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
      dl.store %47, @hidden.W : tensor<2x8xf32>
      %48 = dl.load @hidden.b : tensor<8xf32>
      %49 = dl.load @train_step.velocity.hidden.b : tensor<8xf32>
      %50 = dl.constant dense<0.899999976> : tensor<f32>
      %51 = dl.mul %49, %50 : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
      %52 = dl.add %51, %33 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      dl.store %52, @train_step.velocity.hidden.b : tensor<8xf32>
      %53 = dl.mul %52, %40 : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
      %54 = dl.sub %48, %53 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      dl.store %54, @hidden.b : tensor<8xf32>
      %55 = dl.load @out.W : tensor<8x1xf32>
      %56 = dl.load @train_step.velocity.out.W : tensor<8x1xf32>
      %57 = dl.constant dense<0.899999976> : tensor<f32>
      %58 = dl.mul %56, %57 : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
      %59 = dl.add %58, %28 : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
      dl.store %59, @train_step.velocity.out.W : tensor<8x1xf32>
      %60 = dl.mul %59, %40 : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
      %61 = dl.sub %55, %60 : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
      dl.store %61, @out.W : tensor<8x1xf32>
      %62 = dl.load @out.b : tensor<1xf32>
      %63 = dl.load @train_step.velocity.out.b : tensor<1xf32>
      %64 = dl.constant dense<0.899999976> : tensor<f32>
      %65 = dl.mul %63, %64 : (tensor<1xf32>, tensor<f32>) -> tensor<1xf32>
      %66 = dl.add %65, %24 : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
      dl.store %66, @train_step.velocity.out.b : tensor<1xf32>
      %67 = dl.mul %66, %40 : (tensor<1xf32>, tensor<f32>) -> tensor<1xf32>
      %68 = dl.sub %62, %67 : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
      dl.store %68, @out.b : tensor<1xf32>
      %69 = dl.constant dense<1> : tensor<i32>
      %70 = dl.add %36, %69 : (tensor<i32>, tensor<i32>) -> tensor<i32>
      dl.store %70, @train_step.count : tensor<i32>
      return %10 : tensor<f32>
    }
    dl.buffer @train_step.count : tensor<i32> = "zeros"
    dl.buffer @train_step.velocity.hidden.W : tensor<2x8xf32> = "zeros"
    dl.buffer @train_step.velocity.hidden.b : tensor<8xf32> = "zeros"
    dl.buffer @train_step.velocity.out.W : tensor<8x1xf32> = "zeros"
    dl.buffer @train_step.velocity.out.b : tensor<1xf32> = "zeros"
    dl.train @train_step loss @train_step.loss params [@hidden.W, @hidden.b, @out.W, @out.b] optimizer "sgd" {lr = 5.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = false} weight_decay 0.000000e+00 schedule "constant" {}
  }
}
