import { Global, Module } from '@nestjs/common';
import { RegistryViewService } from './registry-view.service';

@Global()
@Module({ providers: [RegistryViewService], exports: [RegistryViewService] })
export class RegistryViewModule {}
